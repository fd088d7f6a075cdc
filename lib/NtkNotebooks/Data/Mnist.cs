using static TorchSharp.torch;

namespace NtkNotebooks.Data;

/// <summary>A labelled dataset: inputs X [N, d] and regression targets Y [N, k], both float64, and the class labels.</summary>
/// <param name="X">Inputs, one row per example.</param>
/// <param name="Y">Targets: +-1 for two classes (k = 1), one-hot (k = 10) otherwise.</param>
/// <param name="Labels">Digit classes 0..9.</param>
public sealed record Dataset(Tensor X, Tensor Y, int[] Labels)
{
    /// <summary>Number of examples.</summary>
    public int Count => Labels.Length;
}

/// <summary>
/// The MNIST subset shipped in <c>data/mnist</c> (10 000 training and 2 000 test digits; see data/README.md).
/// Images are flattened to 784 pixels and scaled to a fixed Euclidean norm: 1 by default, since Theorem 2.1 assumes
/// ||x|| &lt;= 1; or <see cref="ExperimentNorm"/> = sqrt(784) = 28, which gives the pixels unit mean square, so that the
/// first layer's pre-activations (sigma_w^2 x.x'/n_0) have the same O(1) scale as the hidden layers' and the bias does
/// not dominate the kernel. That is the scale of the paper's experiments (standardised inputs); the theorem's bound
/// then holds up to a constant.
/// </summary>
public static class Mnist
{
    /// <summary>Pixels per image.</summary>
    public const int Pixels = 784;

    /// <summary>sqrt(784): the row norm that gives pixels unit mean square (see the class remarks).</summary>
    public const double ExperimentNorm = 28.0;

    /// <summary>
    /// The folder with the MNIST files: <paramref name="directory"/> if given, else <c>data/mnist</c> in the current
    /// directory or the nearest parent that has one (notebooks run in <c>notebooks/</c>).
    /// </summary>
    public static string Locate(string? directory = null)
    {
        if (directory is not null)
        {
            return Directory.Exists(directory) ? Path.GetFullPath(directory)
                : throw new DirectoryNotFoundException($"MNIST folder '{Path.GetFullPath(directory)}' does not exist.");
        }
        for (var dir = new DirectoryInfo(Directory.GetCurrentDirectory()); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "data", "mnist");
            if (Directory.Exists(candidate)) return candidate;
        }
        throw new DirectoryNotFoundException(
            $"No data/mnist folder in '{Directory.GetCurrentDirectory()}' or its parents. Run from inside the repository or pass the folder.");
    }

    /// <summary>All digits of one split with one-hot targets [N, 10]; rows of norm <paramref name="norm"/>.</summary>
    /// <param name="split">"train" (10 000 digits) or "test" (2 000 digits).</param>
    /// <param name="count">Take the first <paramref name="count"/> digits (default all).</param>
    /// <param name="directory">Folder of the files (default: see <see cref="Locate"/>).</param>
    /// <param name="norm">Euclidean norm of every row (1, or <see cref="ExperimentNorm"/>).</param>
    /// <param name="device">Where X and Y go (default the CPU; notebooks pass <c>Course.Device</c>).</param>
    public static Dataset Load(string split, int? count = null, string? directory = null, double norm = 1.0, Device? device = null)
    {
        Guard.Positive(norm, nameof(norm));
        var (images, labels) = Read(split, directory);
        var n = count ?? labels.Length;
        if (n <= 0 || n > labels.Length)
            throw new ArgumentOutOfRangeException(nameof(count), count, $"Expected 1..{labels.Length} digits in the {split} split.");
        var selection = Enumerable.Range(0, n).ToArray();
        return Build(images, labels, selection, oneHot: true, positive: -1, norm, device);
    }

    /// <summary>
    /// A two-class task, the course's stand-in for the paper's binary CIFAR tasks: digits <paramref name="positive"/>
    /// (target +1) and <paramref name="negative"/> (target -1), the first <paramref name="count"/> of them in file order,
    /// balanced (half each, rounded down for the negative class). Targets Y [N, 1]; rows of norm <paramref name="norm"/>;
    /// on <paramref name="device"/> (default the CPU).
    /// </summary>
    public static Dataset TwoClass(string split, int count, int positive = 0, int negative = 1, string? directory = null, double norm = 1.0,
        Device? device = null)
    {
        Guard.Positive(norm, nameof(norm));
        if (positive is < 0 or > 9) throw new ArgumentOutOfRangeException(nameof(positive), positive, "Expected a digit 0..9.");
        if (negative is < 0 or > 9 || negative == positive)
            throw new ArgumentOutOfRangeException(nameof(negative), negative, $"Expected a digit 0..9 other than {positive}.");
        if (count < 2) throw new ArgumentOutOfRangeException(nameof(count), count, "Expected at least 2 examples.");
        var (images, labels) = Read(split, directory);
        var pos = Enumerable.Range(0, labels.Length).Where(i => labels[i] == positive).Take((count + 1) / 2).ToArray();
        var neg = Enumerable.Range(0, labels.Length).Where(i => labels[i] == negative).Take(count / 2).ToArray();
        if (pos.Length + neg.Length < count)
            throw new ArgumentOutOfRangeException(nameof(count), count,
                $"The {split} split has only {pos.Length} '{positive}' and {neg.Length} '{negative}' digits available.");
        var selection = pos.Concat(neg).Order().ToArray(); // file order keeps the classes interleaved
        return Build(images, labels, selection, oneHot: false, positive, norm, device);
    }

    static Dataset Build(byte[] images, byte[] labels, int[] selection, bool oneHot, int positive, double targetNorm, Device? device)
    {
        var pixels = new double[selection.Length * Pixels];
        for (var r = 0; r < selection.Length; r++)
        {
            var offset = selection[r] * Pixels;
            double norm = 0;
            for (var p = 0; p < Pixels; p++) norm += (double)images[offset + p] * images[offset + p];
            norm = Math.Sqrt(norm);
            for (var p = 0; p < Pixels; p++) pixels[r * Pixels + p] = images[offset + p] * targetNorm / norm;
        }
        var classes = selection.Select(i => (int)labels[i]).ToArray();
        var x = tensor(pixels, [selection.Length, Pixels], float64);
        var y = oneHot
            ? nn.functional.one_hot(tensor(classes.Select(c => (long)c).ToArray()), 10).to(float64)
            : tensor(classes.Select(c => c == positive ? 1.0 : -1.0).ToArray(), [selection.Length, 1], float64);
        return device is null ? new Dataset(x, y, classes) : new Dataset(x.to(device), y.to(device), classes);
    }

    static (byte[] Images, byte[] Labels) Read(string split, string? directory)
    {
        if (split is not ("train" or "test"))
            throw new ArgumentOutOfRangeException(nameof(split), split, "Expected \"train\" or \"test\".");
        var folder = Locate(directory);
        var (imageShape, images) = Idx.Read(Path.Combine(folder, $"{split}-images-idx3-ubyte.gz"));
        var (labelShape, labels) = Idx.Read(Path.Combine(folder, $"{split}-labels-idx1-ubyte.gz"));
        if (imageShape.Length != 3 || imageShape[1] * imageShape[2] != Pixels || labelShape.Length != 1 || labelShape[0] != imageShape[0])
            throw new InvalidDataException($"MNIST {split} files disagree: images [{string.Join(", ", imageShape)}], labels [{string.Join(", ", labelShape)}].");
        return (images, labels);
    }
}
