using System.Diagnostics;
using Microsoft.DotNet.Interactive;
using Microsoft.DotNet.Interactive.Commands;
using Microsoft.DotNet.Interactive.Documents;
using Microsoft.DotNet.Interactive.Documents.Jupyter;
using Microsoft.DotNet.Interactive.Events;

namespace NtkNotebooks.Runner;

/// <summary>
/// Runs one notebook in this process, cell by cell, in a fresh kernel; writes the executed notebook (with outputs)
/// after every cell, so a crash still leaves what ran; reports progress on <see cref="Progress"/>.
/// The process's working directory must be the notebook's folder (as in VS Code): <see cref="CourseRunner"/> starts
/// one process per notebook for that, and so that a native crash in one notebook cannot take the others down.
/// </summary>
internal static class NotebookExecutor
{
    public static async Task<int> RunAsync(string notebookPath, string outputPath, TextWriter progress)
    {
        var document = Notebook.Parse(await File.ReadAllTextAsync(notebookPath), KernelInfos());
        var code = document.Elements.Where(IsCode).ToList();
        Progress.Write(progress, Progress.Cells(code.Count));

        using var kernel = NotebookKernel.Create();
        var failed = false;
        for (var i = 0; i < code.Count; i++)
        {
            var cell = code[i];
            cell.Outputs.Clear();
            cell.ExecutionOrder = i + 1;
            Progress.Write(progress, Progress.Start(i + 1));
            var clock = Stopwatch.StartNew();
            var (error, outputs) = await RunCellAsync(kernel, cell, i + 1);
            cell.Outputs.AddRange(outputs);
            await File.WriteAllTextAsync(outputPath, ToJson(document));
            if (error is null)
            {
                Progress.Write(progress, Progress.Ok(i + 1, clock.Elapsed.TotalSeconds));
                continue;
            }
            failed = true;
            Progress.Write(progress, Progress.Failed(i + 1, clock.Elapsed.TotalSeconds, error));
            break; // later cells depend on this one: stop, as a reader would
        }
        return failed ? 1 : 0;
    }

    static async Task<(string? Error, IReadOnlyList<InteractiveDocumentOutputElement> Outputs)> RunCellAsync(
        CompositeKernel kernel, InteractiveDocumentElement cell, int executionOrder)
    {
        var command = new SubmitCode(cell.Contents, cell.KernelName ?? kernel.DefaultKernelName);
        var outputs = new CellOutputs(executionOrder);
        var seen = new HashSet<KernelEvent>();
        CommandFailed? failure = null;
        var succeeded = false;

        void OnEvent(KernelEvent e)
        {
            lock (seen)
            {
                if (!seen.Add(e)) return;
                outputs.Add(e);
                if (e is CommandFailed f && f.Command == command) failure = f;
                if (e is CommandSucceeded s && s.Command == command) succeeded = true;
            }
        }

        // Child commands (such as the #r restore) publish on the kernel's event stream, the root command's on the result.
        using (kernel.KernelEvents.Subscribe(OnEvent))
        {
            var result = await kernel.SendAsync(command);
            foreach (var e in result.Events) OnEvent(e);
        }

        if (failure is not null)
        {
            var message = failure.Exception?.Message ?? failure.Message;
            outputs.AddError(failure.Message, failure.Exception);
            return (message, outputs.Outputs);
        }
        return (succeeded ? null : "the cell did not complete", outputs.Outputs);
    }

    static bool IsCode(InteractiveDocumentElement e) =>
        e.KernelName is not ("markdown" or "md" or "raw") && !string.IsNullOrWhiteSpace(e.Contents);

    static KernelInfoCollection KernelInfos() => new()
    {
        new Microsoft.DotNet.Interactive.Documents.KernelInfo("csharp", "C#", ["c#", "C#"]),
        new Microsoft.DotNet.Interactive.Documents.KernelInfo("markdown", "Markdown", ["md"]),
    };

    // ToJupyterJson(language) throws on a notebook that already has polyglot_notebook metadata; ours always do.
    static string ToJson(InteractiveDocument document) =>
        document.Metadata.ContainsKey("polyglot_notebook") ? document.ToJupyterJson() : document.ToJupyterJson("C#");
}
