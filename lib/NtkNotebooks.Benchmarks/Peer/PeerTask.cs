using System.Text.Json.Nodes;

namespace NtkNotebooks.Benchmarks.Peer;

/// <summary>
/// One computation the Python peer times: <see cref="Kind"/> names its function in peer/run_peer.py
/// (empirical_ntk, analytic_ntk, closed_form, training_step), <see cref="Arguments"/> its inputs (file names in the
/// workspace and numbers). Several benchmark rows can share one task (e.g. both of our empirical NTK methods).
/// </summary>
/// <param name="Id">Unique name; also the stem of the peer's output file.</param>
/// <param name="Kind">The peer function.</param>
/// <param name="Arguments">Its arguments.</param>
public sealed record PeerTask(string Id, string Kind, JsonObject Arguments);
