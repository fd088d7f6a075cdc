using System.IO.Compression;
using NtkNotebooks.Data;
using static TorchSharp.torch;

namespace NtkNotebooks.Tests.Data;

public class MnistTests
{
    static readonly string Folder = Path.Combine(Repository.Root, "data", "mnist");

    [Fact]
    public void ShippedSubset_HasTheDocumentedSizesAndAllTenDigits()
    {
        var train = Mnist.Load("train", directory: Folder);
        var test = Mnist.Load("test", directory: Folder);
        Assert.Equal(10_000, train.Count);
        Assert.Equal(2_000, test.Count);
        Assert.Equal(new long[] { 10_000, 784 }, train.X.shape);
        Assert.Equal(new long[] { 2_000, 10 }, test.Y.shape);
        Assert.Equal(Enumerable.Range(0, 10), train.Labels.Distinct().Order());
        Assert.Equal(5, train.Labels[0]); // the first MNIST training digit is a 5, the first test digit a 7
        Assert.Equal(7, test.Labels[0]);
        Assert.True((train.X.norm(1) - 1).abs().max().item<double>() < 1e-12, "rows have unit norm (Theorem 2.1: ||x|| <= 1)");
        Assert.Equal(train.Labels, train.Y.argmax(1).data<long>().ToArray().Select(l => (int)l));
    }

    [Fact]
    public void TwoClass_IsBalancedWithPlusMinusOneTargets()
    {
        var data = Mnist.TwoClass("train", 256, positive: 3, negative: 8, directory: Folder);
        Assert.Equal(256, data.Count);
        Assert.Equal(128, data.Labels.Count(l => l == 3));
        Assert.Equal(128, data.Labels.Count(l => l == 8));
        var y = data.Y.data<double>().ToArray();
        Assert.All(Enumerable.Range(0, 256), i => Assert.Equal(data.Labels[i] == 3 ? 1.0 : -1.0, y[i]));
    }

    [Fact]
    public void BadArguments_AndBadFiles_FailClearly()
    {
        Assert.Equal("split", Assert.Throws<ArgumentOutOfRangeException>(() => Mnist.Load("validation", directory: Folder)).ParamName);
        Assert.Equal("negative", Assert.Throws<ArgumentOutOfRangeException>(() => Mnist.TwoClass("test", 10, 4, 4, Folder)).ParamName);
        Assert.Contains("only", Assert.Throws<ArgumentOutOfRangeException>(() => Mnist.TwoClass("test", 5000, 0, 1, Folder)).Message);
        Assert.Throws<DirectoryNotFoundException>(() => Mnist.Load("train", directory: "/nonexistent/mnist"));

        var dir = Directory.CreateTempSubdirectory("ntk-idx-").FullName;
        try
        {
            var truncated = Path.Combine(dir, "t.gz");
            using (var gz = new GZipStream(File.Create(truncated), CompressionLevel.Fastest))
                gz.Write([0, 0, 8, 1, 0, 0, 0, 10, 1, 2, 3]); // announces 10 labels, holds 3
            Assert.Contains("truncated", Assert.Throws<InvalidDataException>(() => Idx.Read(truncated)).Message);
            var notIdx = Path.Combine(dir, "n.bin");
            File.WriteAllBytes(notIdx, [1, 2, 3, 4, 5, 6, 7, 8]);
            Assert.Contains("not an IDX file", Assert.Throws<InvalidDataException>(() => Idx.Read(notIdx)).Message);
            Assert.Throws<FileNotFoundException>(() => Idx.Read(Path.Combine(dir, "missing.gz")));
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }
}
