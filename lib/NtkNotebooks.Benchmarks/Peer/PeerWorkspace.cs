using System.Text.Json.Nodes;
using static TorchSharp.torch;

namespace NtkNotebooks.Benchmarks.Peer;

/// <summary>
/// A temporary folder holding the inputs and weights shared with the Python peer (as .npy), the plan of tasks it is
/// to run, and its outputs. Arrays are written once per key, so cases that share inputs share files.
/// </summary>
public sealed class PeerWorkspace : IDisposable
{
    readonly Dictionary<string, string> _files = [];
    readonly List<PeerTask> _tasks = [];

    /// <summary>Creates an empty workspace under the system's temporary folder.</summary>
    public PeerWorkspace()
    {
        Folder = Path.Combine(Path.GetTempPath(), "ntk-benchmarks-" + Environment.ProcessId + "-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(Folder);
    }

    /// <summary>The folder.</summary>
    public string Folder { get; }

    /// <summary>The tasks added so far, in order.</summary>
    public IReadOnlyList<PeerTask> Tasks => _tasks;

    /// <summary>The file name (relative to <see cref="Folder"/>) holding the array for <paramref name="key"/>, written on first use.</summary>
    public string Array(string key, Func<Tensor> create)
    {
        ArgumentNullException.ThrowIfNull(create);
        if (_files.TryGetValue(key, out var existing)) return existing;
        var name = key + ".npy";
        using (var scope = NewDisposeScope()) Npy.Write(Path.Combine(Folder, name), create());
        _files[key] = name;
        return name;
    }

    /// <summary>Adds a task (once per id) and returns its id.</summary>
    public string Add(string id, string kind, JsonObject arguments)
    {
        if (_tasks.All(t => t.Id != id)) _tasks.Add(new PeerTask(id, kind, arguments));
        return id;
    }

    /// <summary>Full path of a workspace file.</summary>
    public string PathOf(string name) => Path.Combine(Folder, name);

    /// <summary>Deletes the folder.</summary>
    public void Dispose()
    {
        try
        {
            Directory.Delete(Folder, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temporary folder is harmless.
        }
    }
}
