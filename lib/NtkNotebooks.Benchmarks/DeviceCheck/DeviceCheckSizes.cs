using NtkNotebooks.Benchmarks.Harness;

namespace NtkNotebooks.Benchmarks.DeviceCheck;

/// <summary>Sizes and timing policy of the device check's timings: the on a GPU, small ones with --quick.</summary>
public sealed record DeviceCheckSizes
{
    /// <summary>Hidden width of the FC 784-3xw-1 ReLU network of the empirical NTK timings.</summary>
    public required int EmpiricalWidth { get; init; }
    /// <summary>Inputs N of the structured NTK timings.</summary>
    public required int[] StructuredCounts { get; init; }
    /// <summary>The N at which the peer's vmap(jacrev) runs too.</summary>
    public required int[] PeerCounts { get; init; }
    /// <summary>N of the general (Jacobian) NTK timing.</summary>
    public required int JacobianCount { get; init; }
    /// <summary>N of the analytic NTK timings (ReLU, depth 5, float64).</summary>
    public required int[] AnalyticCounts { get; init; }
    /// <summary>Training inputs of the closed-form prediction (test inputs: a quarter).</summary>
    public required int ClosedFormCount { get; init; }
    /// <summary>Hidden width of the FC 784-3xw-1 network of the training steps.</summary>
    public required int TrainingWidth { get; init; }
    /// <summary>Batch (= training set) of the training steps.</summary>
    public required int TrainingCount { get; init; }
    /// <summary>Side of the matrices of the matmul-rate measurement.</summary>
    public required int MatmulSize { get; init; }
    /// <summary>One warm-up, then at least 5 timed runs (the rule; the peer follows the same policy).</summary>
    public required TimingPolicy Policy { get; init; }

    /// <summary>Depth of the analytic NTK.</summary>
    public int AnalyticDepth { get; init; } = 5;
    /// <summary>Time points of the closed-form prediction.</summary>
    public int TimePoints { get; init; } = 100;
    /// <summary>The N of the structured-NTK goal (100x faster than vmap(jacrev)).</summary>
    public int StructuredGoalCount { get; init; } = 1024;
    /// <summary>The N of the analytic-NTK goal (under 1 s).</summary>
    public int AnalyticGoalCount { get; init; } = 20_000;

    /// <summary>The sizes.</summary>
    public static DeviceCheckSizes Full(double budgetSeconds) => new()
    {
        EmpiricalWidth = 1024,
        StructuredCounts = [256, 1024, 4096],
        PeerCounts = [256, 1024],
        JacobianCount = 256,
        AnalyticCounts = [4096, 20_000],
        ClosedFormCount = 4096,
        TrainingWidth = 2048,
        TrainingCount = 256,
        MatmulSize = 4096,
        Policy = new TimingPolicy(Warmups: 1, MinRepetitions: 5, FallbackRepetitions: 5, MaxRepetitions: 50, MinSeconds: 0.5, BudgetSeconds: budgetSeconds),
    };

    /// <summary>Small sizes: the whole check in about a minute on two CPU cores.</summary>
    public static DeviceCheckSizes Quick(double budgetSeconds) => new()
    {
        EmpiricalWidth = 128,
        StructuredCounts = [32, 64, 128],
        PeerCounts = [32, 64],
        JacobianCount = 16,
        AnalyticCounts = [256, 512],
        ClosedFormCount = 256,
        TrainingWidth = 128,
        TrainingCount = 32,
        MatmulSize = 256,
        Policy = new TimingPolicy(Warmups: 1, MinRepetitions: 5, FallbackRepetitions: 5, MaxRepetitions: 10, MinSeconds: 0.05, BudgetSeconds: budgetSeconds),
    };
}
