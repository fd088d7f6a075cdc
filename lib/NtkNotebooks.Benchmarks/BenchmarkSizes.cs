using NtkNotebooks.Benchmarks.Harness;

namespace NtkNotebooks.Benchmarks;

/// <summary>Problem sizes and timing policy of a run: the sizes by default, small ones with --quick.</summary>
public sealed record BenchmarkSizes
{
    /// <summary>Hidden width of the 3-hidden-layer ReLU networks of the empirical NTK cases.</summary>
    public required int[] EmpiricalWidths { get; init; }
    /// <summary>Numbers of inputs of the empirical NTK cases.</summary>
    public required int[] EmpiricalCounts { get; init; }
    /// <summary>The (width, N) case also measured in float64 (the library's default dtype).</summary>
    public required (int Width, int Count) EmpiricalFloat64Case { get; init; }
    /// <summary>Channels of the CNN cases (notebook 11's CNN: depth x (3x3 Same conv, tanh), global pooling, readout).</summary>
    public required int[] CnnChannels { get; init; }
    /// <summary>Number of 14 x 14 images of the CNN cases.</summary>
    public required int CnnCount { get; init; }
    /// <summary>Numbers of inputs of the analytic NTK cases.</summary>
    public required int[] AnalyticCounts { get; init; }
    /// <summary>Numbers of training inputs of the closed-form prediction cases (test inputs: a quarter of that).</summary>
    public required int[] ClosedFormCounts { get; init; }
    /// <summary>Hidden width of the 3-hidden-layer network of the training-step cases.</summary>
    public required int TrainingWidth { get; init; }
    /// <summary>Batch (= training set) size of the training-step cases.</summary>
    public required int TrainingCount { get; init; }
    /// <summary>Side of the square matrices of the matmul-rate measurement.</summary>
    public required int MatmulSize { get; init; }
    /// <summary>Inputs of the analytic NTK scale case.</summary>
    public required int ScaleAnalyticCount { get; init; }
    /// <summary>Inputs of the empirical NTK scale case.</summary>
    public required int ScaleEmpiricalCount { get; init; }
    /// <summary>Hidden width of the empirical NTK scale case.</summary>
    public required int ScaleEmpiricalWidth { get; init; }
    /// <summary>Cases estimated to take longer than this (one run) are skipped, ours and the peer's.</summary>
    public required double TimeLimitSeconds { get; init; }
    /// <summary>Warm-up and repetitions.</summary>
    public required TimingPolicy Policy { get; init; }

    /// <summary>Input dimension (MNIST-sized: 28 x 28).</summary>
    public int InputDim { get; init; } = 784;
    /// <summary>Depth (hidden layers) of the networks.</summary>
    public int NetworkDepth { get; init; } = 3;
    /// <summary>Convolutional layers of the CNN cases (notebook 11's quick depth).</summary>
    public int CnnDepth { get; init; } = 2;
    /// <summary>Depth of the analytic NTK cases.</summary>
    public int AnalyticDepth { get; init; } = 5;
    /// <summary>Time points of the closed-form prediction.</summary>
    public int TimePoints { get; init; } = 100;
    /// <summary>Outputs of the training-step network (MNIST's classes).</summary>
    public int TrainingOutputs { get; init; } = 10;

    /// <summary>The sizes.</summary>
    public static BenchmarkSizes Full(double budgetSeconds) => new()
    {
        EmpiricalWidths = [512, 1024, 2048],
        EmpiricalCounts = [256, 1024],
        EmpiricalFloat64Case = (1024, 1024),
        CnnChannels = [32, 128],
        CnnCount = 256,
        AnalyticCounts = [1024, 4096],
        ClosedFormCounts = [1024, 4096],
        TrainingWidth = 1024,
        TrainingCount = 256,
        MatmulSize = 2048,
        ScaleAnalyticCount = 20_000,
        ScaleEmpiricalCount = 5_000,
        ScaleEmpiricalWidth = 1024,
        TimeLimitSeconds = 120,
        Policy = new TimingPolicy(Warmups: 1, MinRepetitions: 5, FallbackRepetitions: 3, MaxRepetitions: 100,
            MinSeconds: 2, BudgetSeconds: budgetSeconds),
    };

    /// <summary>Small sizes that exercise every code path in a minute or two.</summary>
    public static BenchmarkSizes Quick(double budgetSeconds) => new()
    {
        EmpiricalWidths = [64, 128],
        EmpiricalCounts = [32, 64],
        EmpiricalFloat64Case = (128, 64),
        CnnChannels = [8],
        CnnCount = 32,
        AnalyticCounts = [128, 256],
        ClosedFormCounts = [128, 256],
        TrainingWidth = 128,
        TrainingCount = 32,
        MatmulSize = 512,
        ScaleAnalyticCount = 2_000,
        ScaleEmpiricalCount = 500,
        ScaleEmpiricalWidth = 128,
        TimeLimitSeconds = 20,
        Policy = new TimingPolicy(Warmups: 1, MinRepetitions: 5, FallbackRepetitions: 3, MaxRepetitions: 20,
            MinSeconds: 0.2, BudgetSeconds: budgetSeconds),
    };
}
