namespace NtkNotebooks.Kernels;

/// <summary>How an empirical kernel treats a network's k outputs.</summary>
public enum KernelOutputs
{
    /// <summary>
    /// The average of the k diagonal output blocks, (1/k) sum_a Theta_aa: a scalar kernel [N1, N2] comparable with the
    /// analytic kernels, whose output blocks are Theta (x) I_k.
    /// </summary>
    Mean,

    /// <summary>The trace over outputs, sum_a Theta_aa: [N1, N2].</summary>
    Trace,

    /// <summary>The full k x k block of every pair: [N1, N2, k, k] (Eq 4).</summary>
    Full,
}
