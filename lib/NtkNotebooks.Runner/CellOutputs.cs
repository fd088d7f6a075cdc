using System.Text;
using Microsoft.DotNet.Interactive.Documents;
using Microsoft.DotNet.Interactive.Events;
using Microsoft.DotNet.Interactive.Formatting;

namespace NtkNotebooks.Runner;

/// <summary>Turns the kernel events of one cell into Jupyter outputs, in order, as a live notebook shows them.</summary>
internal sealed class CellOutputs
{
    readonly List<InteractiveDocumentOutputElement> _outputs = [];
    readonly Dictionary<string, int> _displayIndex = [];
    readonly int _executionOrder;
    StringBuilder? _stdout, _stderr;

    public CellOutputs(int executionOrder) => _executionOrder = executionOrder;

    public IReadOnlyList<InteractiveDocumentOutputElement> Outputs
    {
        get
        {
            Flush();
            return _outputs;
        }
    }

    public void Add(KernelEvent e)
    {
        switch (e)
        {
            case StandardOutputValueProduced stdout:
                if (_stderr is not null) Flush();
                (_stdout ??= new()).Append(PlainText(stdout));
                break;
            case StandardErrorValueProduced stderr:
                if (_stdout is not null) Flush();
                (_stderr ??= new()).Append(PlainText(stderr));
                break;
            case ReturnValueProduced value:
                Flush();
                var element = new ReturnValueElement { ExecutionOrder = _executionOrder };
                foreach (var formatted in value.FormattedValues) element.Data[formatted.MimeType] = formatted.Value;
                _outputs.Add(element);
                break;
            case DisplayedValueUpdated update when update.ValueId is { } id && _displayIndex.TryGetValue(id, out var index):
                _outputs[index] = ToDisplay(update); // replaced in place, like a live notebook
                break;
            case DisplayedValueProduced or DisplayedValueUpdated:
                Flush();
                var display = (DisplayEvent)e;
                if (display.ValueId is { } valueId) _displayIndex[valueId] = _outputs.Count;
                _outputs.Add(ToDisplay(display));
                break;
            case ErrorProduced error:
                Flush();
                _outputs.Add(new ErrorElement(error.Message, "Error"));
                break;
        }
    }

    public void AddError(string message, Exception? exception)
    {
        Flush();
        _outputs.Add(new ErrorElement(message, exception?.GetType().Name ?? "Error", exception?.StackTrace?.Split('\n') ?? []));
    }

    void Flush()
    {
        if (_stdout is { Length: > 0 }) _outputs.Add(new TextElement(_stdout.ToString(), "stdout"));
        if (_stderr is { Length: > 0 }) _outputs.Add(new TextElement(_stderr.ToString(), "stderr"));
        _stdout = _stderr = null;
    }

    static string PlainText(DisplayEvent e) =>
        e.FormattedValues.FirstOrDefault(v => v.MimeType == PlainTextFormatter.MimeType)?.Value ?? e.Value?.ToString() ?? "";

    static DisplayElement ToDisplay(DisplayEvent e) =>
        new(e.FormattedValues.ToDictionary(v => v.MimeType, v => (object)v.Value));
}
