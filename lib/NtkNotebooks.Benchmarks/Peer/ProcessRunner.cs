using System.Diagnostics;

namespace NtkNotebooks.Benchmarks.Peer;

/// <summary>Runs an external program, forwarding its output line by line to a writer, and returns its exit code.</summary>
public static class ProcessRunner
{
    /// <summary>Runs <paramref name="program"/> and returns its exit code (-1 when it cannot start) and standard output.</summary>
    public static (int ExitCode, string Output) Capture(string program, IEnumerable<string> arguments)
    {
        var output = new StringWriter();
        var code = Run(program, arguments, output, raw: true);
        return (code, output.ToString());
    }

    /// <summary>Runs <paramref name="program"/> with <paramref name="arguments"/>; -1 when it cannot start.</summary>
    public static int Run(string program, IEnumerable<string> arguments, TextWriter log,
        IReadOnlyDictionary<string, string>? environment = null, bool quiet = false, bool raw = false)
    {
        var info = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments) info.ArgumentList.Add(argument);
        foreach (var (name, value) in environment ?? new Dictionary<string, string>()) info.Environment[name] = value;
        try
        {
            using var process = Process.Start(info)!;
            process.OutputDataReceived += (_, e) => Forward(e.Data);
            process.ErrorDataReceived += (_, e) => Forward(e.Data);
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            process.WaitForExit();
            return process.ExitCode;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return -1;
        }

        void Forward(string? line)
        {
            if (line is null || quiet) return;
            lock (log) log.WriteLine(raw ? line : "    " + line);
        }
    }
}
