using NtkNotebooks.Data;
using NtkNotebooks.Dynamics;
using NtkNotebooks.Kernels;
using NtkNotebooks.Linearization;
using NtkNotebooks.Models;
using NtkNotebooks.Platform;
using NtkNotebooks.Spectrum;
using NtkNotebooks.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace NtkNotebooks.Tests.Platform;

/// <summary>
/// Device handling that a CPU-only machine can check. Inputs on two devices are made with libtorch's "meta" device
/// (tensors with a shape and no data): every API must refuse them with a message naming both devices before any
/// value is read. Results on a real second device are checked by the GPU check program (README, "Running on a GPU").
/// </summary>
public class DeviceTests
{
    static Tensor OnMeta(Tensor t) => empty(t.shape, t.dtype, META);

    static void AssertNamesBothDevices(Action call)
    {
        var e = Assert.Throws<ArgumentException>(call);
        Assert.Contains("meta", e.Message);
        Assert.Contains("cpu", e.Message);
    }

    [Fact]
    public void ParseDevice_AcceptsCpuCudaAndCudaN_AndNamesTheSourceOtherwise()
    {
        Assert.Equal(DeviceType.CPU, TorchRuntime.ParseDevice(" CPU ", "NTK_DEVICE").type);
        Assert.Equal((DeviceType.CUDA, 0), (TorchRuntime.ParseDevice("cuda", "NTK_DEVICE").type, TorchRuntime.ParseDevice("cuda", "NTK_DEVICE").index));
        Assert.Equal(3, TorchRuntime.ParseDevice("cuda:3", "NTK_DEVICE").index);
        foreach (var bad in new[] { "gpu", "cuda:", "cuda:-1", "cuda:x", "" })
        {
            var e = Assert.Throws<ArgumentException>(() => TorchRuntime.ParseDevice(bad, "NTK_DEVICE"));
            Assert.Contains("NTK_DEVICE", e.Message);
        }
    }

    [Fact]
    public void Initialize_GivesTheCpuWhenAsked_AndCudaOnlyWhereThereIsOne()
    {
        Assert.Equal(DeviceType.CPU, TorchRuntime.Initialize("cpu").type);
        if (cuda.is_available())
        {
            Assert.Equal(DeviceType.CUDA, TorchRuntime.Initialize("cuda").type);
            return;
        }
        var e = Assert.Throws<InvalidOperationException>(() => TorchRuntime.Initialize("cuda"));
        Assert.Contains($"TorchBackend={TorchRuntime.Backend}", e.Message);
        Assert.Equal("cpu", TorchRuntime.Describe(CPU));
    }

    [Fact]
    public void Backend_IsTheOneThisBuildUsed()
    {
        var built = typeof(DeviceTests).Assembly.GetCustomAttributes(typeof(System.Reflection.AssemblyMetadataAttribute), false)
            .Cast<System.Reflection.AssemblyMetadataAttribute>().Single(a => a.Key == "TorchBackend").Value;
        Assert.Equal(built, TorchRuntime.Backend);
    }

    // The kernel's own list of what the process mapped: exactly one libtorch, and it is the one TorchRuntime chose
    // (NTK_LIBTORCH_DIR when set: how CI tests TorchBackend=external).
    [SkippableFact]
    public void LibTorch_IsLoadedOnce_FromTheFolderTorchRuntimeChose()
    {
        Skip.IfNot(OperatingSystem.IsLinux(), "Reads /proc/self/maps, which only Linux has.");
        using var _ = ones(1); // libtorch is loaded
        var mapped = File.ReadAllLines("/proc/self/maps")
            .Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(5).FirstOrDefault())
            .Where(path => path is not null && Path.GetFileName(path) == "libtorch_cpu.so")
            .Select(path => Path.GetDirectoryName(Path.GetFullPath(path!))!)
            .Distinct().ToArray();
        var folder = Assert.Single(mapped);
        Assert.NotNull(TorchRuntime.LibTorchDirectory);
        Assert.Equal(Path.GetFullPath(TorchRuntime.LibTorchDirectory!), folder);
        if (Environment.GetEnvironmentVariable(TorchRuntime.LibTorchDirVariable) is { Length: > 0 } named)
            Assert.Equal(Path.TrimEndingDirectorySeparator(Path.GetFullPath(named)), folder);
    }

    [Fact]
    public void Networks_RefuseInputsOnAnotherDevice()
    {
        var net = new FullyConnectedNetwork(TestData.Fc(3, 8, 1, Activation.ReLU), seed: 1);
        var x = OnMeta(TestData.UnitRows(4, 3));
        AssertNamesBothDevices(() => net.call(x));
        AssertNamesBothDevices(() => EmpiricalNtk.Compute(net, TestData.UnitRows(4, 3), x));
        AssertNamesBothDevices(() => JacobianNtk.Compute(net, x));
        AssertNamesBothDevices(() => new LinearizedNetwork(new FullyConnectedNetwork(TestData.Fc(3, 8, 1, Activation.ReLU), seed: 1)).call(x));
        AssertNamesBothDevices(() => Tangents.Vjp(net, TestData.UnitRows(4, 3), OnMeta(ones(4, 1, dtype: float64))));
        AssertNamesBothDevices(() => Tangents.Jvp(net, TestData.UnitRows(4, 3), net.parameters().Select(p => OnMeta(p)).ToArray()));
        var conv = new ConvolutionalNetwork((1, 4, 4), [2], 1, Activation.ReLU, seed: 1);
        AssertNamesBothDevices(() => conv.call(empty(2, 1, 4, 4, float64, META)));
    }

    [Fact]
    public void KernelsAndDynamics_RefuseInputsOnTwoDevices()
    {
        var architecture = TestData.Fc(3, 8, 1, Activation.ReLU);
        var x = TestData.UnitRows(4, 3);
        var theta = AnalyticKernels.Compute(architecture, x).Ntk;
        var y = ones(4, 1, dtype: float64);
        AssertNamesBothDevices(() => AnalyticKernels.Compute(architecture, x, OnMeta(x)));
        AssertNamesBothDevices(() => new MseDynamics(theta, OnMeta(y), 0.1));
        var mse = new MseDynamics(theta, y, 0.1);
        AssertNamesBothDevices(() => mse.TrainOutputs(OnMeta(y), 1.0));
        AssertNamesBothDevices(() => mse.TestOutputs(OnMeta(theta), y, y, 1.0));
        AssertNamesBothDevices(() => new MomentumDynamics(theta, y, 0.1, 0.9).TrainOutputs(OnMeta(y), 3));
        AssertNamesBothDevices(() => new KernelSpectrum(theta).Project(OnMeta(y)));
        AssertNamesBothDevices(() => CrossEntropyDynamics.Solve(theta, theta, y, y, OnMeta(y), 0.1, [1.0]));
        var pair = new KernelPair(theta, theta);
        AssertNamesBothDevices(() => GaussianProcesses.NtkGp(pair, new KernelPair(theta, OnMeta(theta)), pair, y, 0.1, 1.0));
        AssertNamesBothDevices(() => Losses.Compute(y, OnMeta(y), LossKind.Mse, LossReduction.Mean));
        AssertNamesBothDevices(() => Synthetic.InterpolationPath(x[0], OnMeta(x[1])));
    }

    [Fact]
    public void Trainer_RefusesDataOnAnotherDeviceThanTheModel()
    {
        var net = new FullyConnectedNetwork(TestData.Fc(3, 8, 1, Activation.ReLU), seed: 1);
        var train = new Dataset(TestData.UnitRows(4, 3), OnMeta(ones(4, 1, dtype: float64)), new int[4]);
        var test = new Dataset(TestData.UnitRows(4, 3), ones(4, 1, dtype: float64), new int[4]);
        AssertNamesBothDevices(() => Trainer.Train(net, train, test, new TrainingOptions { LearningRate = 0.1, Steps = 1 }));
    }

    [Fact]
    public void DataLoaders_PutTheirTensorsOnTheRequestedDevice()
    {
        Assert.Equal(DeviceType.META, Synthetic.UnitCircle(4, META).X.device_type);
        var regression = Synthetic.CircleRegression(4, device: META);
        Assert.Equal((DeviceType.META, DeviceType.META), (regression.X.device_type, regression.Y.device_type));
        var digits = Mnist.TwoClass("test", 4, device: META);
        Assert.Equal((DeviceType.META, DeviceType.META), (digits.X.device_type, digits.Y.device_type));
    }
}
