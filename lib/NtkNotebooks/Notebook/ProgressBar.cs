using System.Diagnostics;
using System.Runtime.CompilerServices;
using Microsoft.AspNetCore.Html;
using Microsoft.DotNet.Interactive;
using NtkNotebooks.Training;

namespace NtkNotebooks.Notebook;

/// <summary>
/// Renders <see cref="TrainingProgress"/> reports: an HTML progress bar updated in place inside a notebook, or a line
/// every tenth of the run on the console elsewhere. Updates are throttled to a few per second.
/// </summary>
internal sealed class ProgressBar(string title) : IProgress<TrainingProgress>
{
    readonly Stopwatch _sinceUpdate = Stopwatch.StartNew();
    object? _displayed; // DisplayedValue inside a notebook host
    int _lastConsoleDecile = -1;
    string _lastModel = "";

    public void Report(TrainingProgress value)
    {
        var finished = value.Step == value.Steps;
        var newModel = value.Model != _lastModel;
        if (!finished && !newModel && _sinceUpdate.ElapsedMilliseconds < 250) return;
        _sinceUpdate.Restart();
        if (newModel) _displayed = null;
        _lastModel = value.Model;
        if (InsideNotebook()) Show(value);
        else WriteLine(value);
    }

    static bool InsideNotebook() =>
        AppDomain.CurrentDomain.GetAssemblies().Any(a => a.GetName().Name == "Microsoft.DotNet.Interactive") && HasContext();

    [MethodImpl(MethodImplOptions.NoInlining)]
    static bool HasContext() => KernelInvocationContext.Current is not null;

    [MethodImpl(MethodImplOptions.NoInlining)]
    void Show(TrainingProgress value)
    {
        var html = new HtmlString(
            $"<div><b>{System.Net.WebUtility.HtmlEncode(title)}</b> &middot; {System.Net.WebUtility.HtmlEncode(value.Model)}: " +
            $"<progress value=\"{value.Step}\" max=\"{value.Steps}\" style=\"width: 240px\"></progress> " +
            $"step {value.Step}/{value.Steps}, training loss {value.TrainLoss:G4}</div>");
        if (_displayed is Microsoft.DotNet.Interactive.Formatting.DisplayedValue shown) shown.Update(html);
        else _displayed = html.Display();
    }

    void WriteLine(TrainingProgress value)
    {
        var decile = (int)(10L * value.Step / Math.Max(1, value.Steps));
        if (decile == _lastConsoleDecile && value.Step != value.Steps) return;
        _lastConsoleDecile = decile;
        Console.WriteLine($"{title} · {value.Model}: step {value.Step}/{value.Steps}, training loss {value.TrainLoss:G4}");
    }
}
