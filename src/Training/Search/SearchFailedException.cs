namespace MLPipeline.Training.Search;

/// <summary>No trial of the search produced a metric, or its workers could not finish it. Exit code 8.</summary>
public sealed class SearchFailedException(string message, Exception? inner = null) : Exception(message, inner);
