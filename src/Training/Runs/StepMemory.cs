namespace MLPipeline.Training.Runs;

/// <summary>
/// Hands the memory a finished step no longer uses back to the OS. The GC keeps the memory it committed for a
/// step's garbage (its allocation budget is sized from the CPU's cache, not from what the run holds), so without
/// this every step's high-water mark stayed resident under the next one's, and ONNX Runtime's native memory came
/// on top of them all. A full compacting collection that decommits takes tens of milliseconds with the little a
/// run keeps between steps; it runs a handful of times per run.
/// </summary>
internal static class StepMemory
{
    public static void Release() => GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
}
