using NtkNotebooks.Models;
using static TorchSharp.torch;

namespace NtkNotebooks.Tests.Stax;

/// <summary>
/// A deliberately naive CNN-GP / CNTK for tiny images, written without Stax's code: the second moments over all
/// (example, pixel) pairs as one [N P, N P] matrix, every linear layer as an explicit matrix B applied as B K B^T
/// (a convolution with i.i.d. weights is sum over offsets o of B_o K B_o^T / (kh kw); Novak et al. 2019, Eq 2-3), every
/// activation elementwise with the pixel variances on the diagonal (Arora et al. 2019, Sec 4). It always keeps every
/// pixel pair, so it also checks that Stax's pixel-diagonal shortcut loses nothing.
/// </summary>
internal sealed class ReferenceCnnGp
{
    Tensor _k, _theta;
    int _n, _h, _w;

    ReferenceCnnGp(Tensor k, Tensor theta, int n, int h, int w) => (_k, _theta, _n, _h, _w) = (k, theta, n, h, w);

    /// <summary>Inputs [N, C, H, W]: K[(i, p), (j, q)] = (1/C) sum_c x_i[c, p] x_j[c, q].</summary>
    public static ReferenceCnnGp FromImages(Tensor x)
    {
        var (n, c, h, w) = ((int)x.shape[0], (int)x.shape[1], (int)x.shape[2], (int)x.shape[3]);
        var columns = x.to(float64).permute(1, 0, 2, 3).reshape(c, n * h * w); // row c: channel c of every (example, pixel)
        var k = columns.T.matmul(columns) / c;
        return new ReferenceCnnGp(k, zeros_like(k), n, h, w);
    }

    /// <summary>The kernels of the network output [N, N] (after the last layer made it a vector).</summary>
    public (Tensor K, Tensor Theta) Output => (_k, _theta);

    public ReferenceCnnGp Copy() => new(_k.clone(), _theta.clone(), _n, _h, _w);

    /// <summary>FanInSum of two branches whose cross moments vanish.</summary>
    public void Add(ReferenceCnnGp other)
    {
        _k = _k + other._k;
        _theta = _theta + other._theta;
    }

    public void Conv(int kh, int kw, int sh, int sw, bool same, double sigmaW, double sigmaB)
    {
        var (offsets, oh, ow) = Offsets(kh, kw, sh, sw, same);
        var k = zeros(_n * oh * ow, _n * oh * ow, dtype: float64);
        var theta = zeros_like(k);
        foreach (var b in offsets)
        {
            k += b.matmul(_k).matmul(b.T);
            theta += b.matmul(_theta).matmul(b.T);
        }
        var sw2 = sigmaW * sigmaW / (kh * kw);
        _k = k * sw2 + sigmaB * sigmaB;
        _theta = theta * sw2 + _k;
        (_h, _w) = (oh, ow);
    }

    public void AvgPool(int wh, int ww, int sh, int sw, bool same)
    {
        var (offsets, oh, ow) = Offsets(wh, ww, sh, sw, same);
        var b = offsets.Aggregate((s, t) => s + t) / (wh * ww);
        _k = b.matmul(_k).matmul(b.T);
        _theta = b.matmul(_theta).matmul(b.T);
        (_h, _w) = (oh, ow);
    }

    public void GlobalAvgPool()
    {
        var b = kron(eye(_n, dtype: float64), ones(1, _h * _w, dtype: float64) / (_h * _w));
        _k = b.matmul(_k).matmul(b.T);
        _theta = b.matmul(_theta).matmul(b.T);
        (_h, _w) = (1, 1);
    }

    public void Flatten()
    {
        var p = _h * _w;
        Tensor Mean(Tensor m) => m.reshape(_n, p, _n, p).diagonal(0, 1, 3).mean([-1]);
        (_k, _theta) = (Mean(_k), Mean(_theta));
        (_h, _w) = (1, 1);
    }

    public void Activation(Activation phi, NtkNotebooks.Kernels.GaussianQuadrature? quadrature = null)
    {
        var d = _k.diagonal();
        var (t, tDot) = phi.ClosedForm is { } closed
            ? closed(d.unsqueeze(1), _k, d.unsqueeze(0))
            : (quadrature ?? NtkNotebooks.Kernels.GaussianQuadrature.Default).Expectations(phi, d.unsqueeze(1), _k, d.unsqueeze(0));
        _theta = tDot * _theta;
        _k = t;
    }

    public void Dense(double sigmaW, double sigmaB)
    {
        _k = _k * (sigmaW * sigmaW) + sigmaB * sigmaB;
        _theta = _k + _theta * (sigmaW * sigmaW);
    }

    // For every window offset (a, b), the 0/1 matrix [N P_out, N P_in] picking input pixel (s i + a - top, s j + b - left)
    // for output pixel (i, j), zero when it falls in the padding. Same: ceil(size / stride) outputs, the smaller half of
    // the padding on top/left (the convention of TensorFlow, JAX and torch's padding="same").
    (List<Tensor> Offsets, int Height, int Width) Offsets(int kh, int kw, int sh, int sw, bool same)
    {
        int oh, ow, top, left;
        if (same)
        {
            (oh, ow) = ((_h + sh - 1) / sh, (_w + sw - 1) / sw);
            top = Math.Max((oh - 1) * sh + kh - _h, 0) / 2;
            left = Math.Max((ow - 1) * sw + kw - _w, 0) / 2;
        }
        else
        {
            (oh, ow) = ((_h - kh) / sh + 1, (_w - kw) / sw + 1);
            (top, left) = (0, 0);
        }
        var result = new List<Tensor>();
        for (var a = 0; a < kh; a++)
        for (var b = 0; b < kw; b++)
        {
            var pick = zeros(oh * ow, _h * _w, dtype: float64);
            for (var i = 0; i < oh; i++)
            for (var j = 0; j < ow; j++)
            {
                var (r, c) = (i * sh + a - top, j * sw + b - left);
                if (r >= 0 && r < _h && c >= 0 && c < _w) pick[i * ow + j, r * _w + c] = 1.0;
            }
            result.Add(kron(eye(_n, dtype: float64), pick));
        }
        return (result, oh, ow);
    }
}
