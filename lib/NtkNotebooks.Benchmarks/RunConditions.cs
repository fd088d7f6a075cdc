using static TorchSharp.torch;

namespace NtkNotebooks.Benchmarks;

/// <summary>How busy the machine was: load averages around the run and the matmul rate measured again at its end.</summary>
/// <param name="LoadAtStart">1-minute load average before the first measurement.</param>
/// <param name="LoadAtEnd">1-minute load average after the last.</param>
/// <param name="MatmulAtEnd">Matmul GFLOP/s per dtype measured after every case.</param>
public sealed record RunConditions(double LoadAtStart, double LoadAtEnd, IReadOnlyDictionary<ScalarType, double> MatmulAtEnd);
