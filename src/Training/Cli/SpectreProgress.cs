using Spectre.Console;

namespace MLPipeline.Training.Cli;

/// <summary>Live progress bars for an interactive terminal.</summary>
public sealed class SpectreProgress(ProgressContext context) : IRunProgress
{
    public IProgressStep Start(string description, int total = 1) =>
        new Step(context.AddTask(Markup.Escape(description), maxValue: total), description);

    public void Note(string message) => AnsiConsole.MarkupLine($"[yellow]{Markup.Escape(message)}[/]");

    /// <summary>Runs <paramref name="work"/> under live progress when the terminal is interactive, plain lines otherwise.</summary>
    public static async Task<T> RunAsync<T>(bool interactive, Func<IRunProgress, Task<T>> work)
    {
        if (!interactive)
        {
            return await work(new PlainProgress(Console.Error));
        }

        return await AnsiConsole.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new SpinnerColumn())
            .StartAsync(ctx => work(new SpectreProgress(ctx)));
    }

    private sealed class Step(ProgressTask task, string description) : IProgressStep
    {
        public void Advance(string? detail = null) => task.Increment(1);

        public void ReportRows(long rowsRead, TimeSpan elapsed, long rowsPerPass) =>
            task.Description = Markup.Escape($"{description}: {RowRate.Describe(rowsRead, elapsed, rowsPerPass)}");

        public void Dispose()
        {
            task.Value = task.MaxValue;
            task.StopTask();
        }
    }
}
