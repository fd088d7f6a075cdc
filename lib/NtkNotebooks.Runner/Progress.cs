using System.Globalization;

namespace NtkNotebooks.Runner;

/// <summary>The line protocol from a notebook process (<see cref="NotebookExecutor"/>) to <see cref="CourseRunner"/>.</summary>
internal static class Progress
{
    const string Prefix = "##ntk ";

    public static string Cells(int count) => $"{Prefix}cells {count}";
    public static string Start(int cell) => $"{Prefix}start {cell}";
    public static string Ok(int cell, double seconds) => $"{Prefix}ok {cell} {seconds.ToString("F2", CultureInfo.InvariantCulture)}";
    public static string Failed(int cell, double seconds, string error) =>
        $"{Prefix}failed {cell} {seconds.ToString("F2", CultureInfo.InvariantCulture)} {error.ReplaceLineEndings(" | ")}";

    public static void Write(TextWriter writer, string line)
    {
        writer.WriteLine(line);
        writer.Flush();
    }

    /// <summary>A parsed protocol line, or null for any other output.</summary>
    public static Event? Parse(string line)
    {
        if (!line.StartsWith(Prefix, StringComparison.Ordinal)) return null;
        var parts = line[Prefix.Length..].Split(' ', 4);
        int Cell() => int.Parse(parts[1], CultureInfo.InvariantCulture);
        double Seconds() => double.Parse(parts[2], CultureInfo.InvariantCulture);
        return parts[0] switch
        {
            "cells" => new Event(EventKind.Cells, Cell(), 0, null),
            "start" => new Event(EventKind.Start, Cell(), 0, null),
            "ok" => new Event(EventKind.Ok, Cell(), Seconds(), null),
            "failed" => new Event(EventKind.Failed, Cell(), Seconds(), parts.Length > 3 ? parts[3] : ""),
            _ => null,
        };
    }

    public enum EventKind { Cells, Start, Ok, Failed }

    public sealed record Event(EventKind Kind, int Cell, double Seconds, string? Error);
}
