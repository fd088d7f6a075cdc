using System.Diagnostics;
using System.Runtime.CompilerServices;
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

    // Displays a ProgressView (formatted as HTML by the formatter Course.Init registers) and updates it in place.
    // No Microsoft.AspNetCore.Html types here: the stock hosts ship another version of that assembly than we build against.
    [MethodImpl(MethodImplOptions.NoInlining)]
    void Show(TrainingProgress value)
    {
        var view = new ProgressView(title, value);
        if (_displayed is Microsoft.DotNet.Interactive.Formatting.DisplayedValue shown) shown.Update(view);
        else _displayed = KernelInvocationContext.Current!.Display(view, "text/html");
    }

    void WriteLine(TrainingProgress value)
    {
        var decile = (int)(10L * value.Step / Math.Max(1, value.Steps));
        if (decile == _lastConsoleDecile && value.Step != value.Steps) return;
        _lastConsoleDecile = decile;
        Console.WriteLine($"{title} · {value.Model}: step {value.Step}/{value.Steps}, training loss {value.TrainLoss:G4}");
    }
}

/// <summary>One state of a progress bar, formatted as HTML in notebooks (see <see cref="Formatters"/>).</summary>
internal sealed record ProgressView(string Title, TrainingProgress Progress)
{
    public string Html() =>
        $"<div><b>{System.Net.WebUtility.HtmlEncode(Title)}</b> &middot; {System.Net.WebUtility.HtmlEncode(Progress.Model)}: " +
        $"<progress value=\"{Progress.Step}\" max=\"{Progress.Steps}\" style=\"width: 240px\"></progress> " +
        $"step {Progress.Step}/{Progress.Steps}, training loss {Progress.TrainLoss:G4}</div>";

    public override string ToString() => $"{Title} · {Progress.Model}: step {Progress.Step}/{Progress.Steps}, training loss {Progress.TrainLoss:G4}";
}
