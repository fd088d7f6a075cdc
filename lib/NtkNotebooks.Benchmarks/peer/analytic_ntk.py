"""Infinite-width NNGP and NTK of a ReLU network with NumPy: the same recursion as the library's AnalyticKernels,
K^1 = sigma_w^2 x.x'/n_0 + sigma_b^2, Theta^1 = K^1,
K^{l+1} = sigma_w^2 T(K^l) + sigma_b^2, Theta^{l+1} = K^{l+1} + sigma_w^2 TDot(K^l) Theta^l,
with the arc-cosine closed forms of T and TDot; float64, whole matrices at once."""
import numpy as np

from timing import measure


def relu_expectations(k11, k12, k22):
    sqrt_det = np.sqrt(np.maximum(k11 * k22 - k12 * k12, 0.0))
    angle = np.arctan2(sqrt_det, k12)
    t = (sqrt_det + (np.pi - angle) * k12) / (2 * np.pi)
    t_dot = (np.pi - angle) / (2 * np.pi)
    return t, t_dot


def kernels(x, depth, sigma_w2, sigma_b2):
    n0 = x.shape[1]
    diagonal = sigma_w2 * np.einsum("ij,ij->i", x, x) / n0 + sigma_b2
    k12 = sigma_w2 * (x @ x.T) / n0 + sigma_b2
    np.fill_diagonal(k12, diagonal)  # a point with itself: exactly singular covariance, as in the library
    theta = k12
    for _ in range(depth):
        t, t_dot = relu_expectations(diagonal[:, None], k12, diagonal[None, :])
        following = sigma_w2 * t + sigma_b2
        theta = following + sigma_w2 * t_dot * theta
        diagonal = sigma_w2 * relu_expectations(diagonal, diagonal, diagonal)[0] + sigma_b2
        k12 = following
        np.fill_diagonal(k12, diagonal)
    return k12, theta


def run(args, workspace, policy, time_limit, output_name, matmul_float32):
    x = workspace.load(args["x"]).astype(np.float64)
    summary, output = measure(lambda: kernels(x, args["depth"], args["sigma_w2"], args["sigma_b2"]), policy)
    summary["output"] = workspace.save(output_name, output[1])
    return summary
