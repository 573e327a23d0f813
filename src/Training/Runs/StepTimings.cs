using System.Diagnostics;
using MLPipeline.Shared.Manifest;

namespace MLPipeline.Training.Runs;

/// <summary>The wall time of each step of a run, in run order, for the manifest, the report and the summary.</summary>
public sealed class StepTimings
{
    private readonly List<StepTiming> _steps = [];

    public IReadOnlyList<StepTiming> Steps => _steps;

    public void Add(string step, TimeSpan elapsed) => _steps.Add(new StepTiming(step, Math.Round(elapsed.TotalSeconds, 3)));

    /// <summary>Times the code up to the returned handle's disposal as one step.</summary>
    public Measurement Measure(string step) => new(this, step);

    public readonly struct Measurement(StepTimings timings, string step) : IDisposable
    {
        private readonly long _start = Stopwatch.GetTimestamp();

        public TimeSpan Elapsed => Stopwatch.GetElapsedTime(_start);

        public void Dispose() => timings.Add(step, Elapsed);
    }
}
