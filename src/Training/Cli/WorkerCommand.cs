using System.CommandLine;
using MLPipeline.Training.Distributed;

namespace MLPipeline.Training.Cli;

/// <summary><c>worker --queue &lt;uri&gt; --store &lt;uri&gt;</c>: run the trials of distributed searches until the queue stays empty.</summary>
public static class WorkerCommand
{
    public static Command Create()
    {
        var queue = new Option<string>("--queue") { Description = "The trial queue: https://<account>.queue.core.windows.net/<queue> (Azurite: http://127.0.0.1:<port>/devstoreaccount1/<queue>).", Required = true };
        var store = StoreOptions.Store();
        var visibility = new Option<int>("--visibility-timeout") { Description = "Seconds a taken trial stays hidden from other workers without renewal (renewed while it trains).", DefaultValueFactory = _ => 300 };
        var attempts = new Option<int>("--max-attempts") { Description = "Deliveries of a trial before it goes to the poison queue and is recorded as failed.", DefaultValueFactory = _ => 3 };
        var idle = new Option<int>("--idle-exit") { Description = "Exit after the queue has been empty this many seconds.", DefaultValueFactory = _ => 60 };
        var command = new Command("worker", "Run the trials of distributed searches (train --workers) from a storage queue, writing each result to the store.")
        {
            queue, store, visibility, attempts, idle,
        };
        command.SetAction((parse, cancellationToken) => CliErrors.RunAsync(async () =>
        {
            var (seconds, max, idleSeconds) = (parse.GetValue(visibility), parse.GetValue(attempts), parse.GetValue(idle));
            if (seconds < 3 || max < 1 || idleSeconds < 0)
            {
                throw new ArgumentException("--visibility-timeout must be at least 3 seconds, --max-attempts at least 1 and --idle-exit at least 0.");
            }

            using var worker = new TrialWorker(
                TrialQueues.Connect(parse.GetValue(queue)!),
                RunFiles.Open(parse.GetValue(store)),
                new WorkerOptions(TimeSpan.FromSeconds(seconds), max, TimeSpan.FromSeconds(idleSeconds)),
                Console.Out);
            await worker.RunAsync(cancellationToken);
            return ExitCodes.Ok;
        }));
        return command;
    }
}
