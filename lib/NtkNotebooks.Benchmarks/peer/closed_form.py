"""Closed-form gradient-flow prediction of the linearized network (Eq 8-11) with numpy.linalg.eigh:
train f_t(X) = Y + V e^{-eta lambda t} V^T (f_0(X) - Y), test f_t(x) = f_0(x) + Theta(x, X) V g_t(lambda) V^T (Y - f_0(X)),
g_t(lambda) = (1 - e^{-eta lambda t}) / lambda (eta t at lambda = 0), eta = learning rate / (N k) (mean loss),
evaluated for all times at once (matrix-matrix products)."""
import numpy as np

from timing import measure


def predict(theta, theta_test, targets, f0, f0_test, times, learning_rate):
    n, k = targets.shape
    eta = learning_rate / (n * k)
    values, vectors = np.linalg.eigh((theta + theta.T) / 2)
    clamped = np.maximum(values, 0.0)
    decay = np.exp(-eta * np.outer(values, times))  # [N, T]
    safe = np.where(clamped > 0, clamped, 1.0)[:, None]
    g = np.where(clamped[:, None] > 0, -np.expm1(-eta * np.outer(clamped, times)) / safe, eta * times[None, :])
    train_coefficients = vectors.T @ (f0 - targets)
    test_coefficients = vectors.T @ (targets - f0)
    steps = len(times)
    train = np.empty((steps, n, k))
    test = np.empty((steps, theta_test.shape[0], k))
    for a in range(k):
        train[:, :, a] = (targets[:, a:a + 1] + vectors @ (decay * train_coefficients[:, a:a + 1])).T
        test[:, :, a] = (f0_test[:, a:a + 1] + theta_test @ (vectors @ (g * test_coefficients[:, a:a + 1]))).T
    return np.concatenate([train.reshape(steps, -1), test.reshape(steps, -1)], axis=1)


def run(args, workspace, policy, time_limit, output_name, matmul_float32):
    inputs = [workspace.load(args[name]) for name in ("theta", "theta_test", "targets", "f0", "f0_test")]
    times = np.asarray(args["times"], dtype=np.float64)
    summary, output = measure(lambda: predict(*inputs, times, args["learning_rate"]), policy)
    summary["output"] = workspace.save(output_name, output)
    return summary
