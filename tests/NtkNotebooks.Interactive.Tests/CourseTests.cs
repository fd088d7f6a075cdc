using static TorchSharp.torch;

namespace NtkNotebooks.Interactive.Tests;

public class CourseTests
{
    [Fact]
    public void Init_OutsideANotebookHost_InitialisesTorchAndDescribesTheEnvironment()
    {
        var env = Course.Init(threads: 2);
        Assert.Equal(2, env.Threads);
        Assert.Equal("cpu", env.Device);
        Assert.StartsWith("0.1.0", env.LibraryVersion);
        Assert.Contains("NtkNotebooks", env.ToString());
        Assert.Equal(3.0, (ones(3, dtype: float64).sum()).item<double>());
        Assert.Same(env.GetType(), Course.Init().GetType()); // idempotent
    }

    [Fact]
    public void Size_FollowsThePaperSizesSwitch()
    {
        var before = Course.PaperSizes;
        try
        {
            Course.PaperSizes = false;
            Assert.Equal(256, Course.Size(256, 8192));
            Course.PaperSizes = true;
            Assert.Equal(8192, Course.Size(256, 8192));
        }
        finally
        {
            Course.PaperSizes = before;
        }
    }
}

public class ProgressBarTests
{
    [Fact]
    public void OutsideANotebook_ReportsAboutOnceEveryTenthOfTheRun()
    {
        var original = Console.Out;
        var captured = new StringWriter();
        Console.SetOut(captured);
        try
        {
            var progress = Course.ProgressBar("demo");
            for (var step = 0; step <= 1000; step += 10) progress.Report(new NtkNotebooks.Training.TrainingProgress("network", step, 1000, 1.0 / (step + 1)));
        }
        finally
        {
            Console.SetOut(original);
        }
        var lines = captured.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.InRange(lines.Length, 2, 12);
        Assert.StartsWith("demo · network: step 0/1000", lines[0]);
        Assert.Contains("step 1000/1000", lines[^1]);
    }
}
