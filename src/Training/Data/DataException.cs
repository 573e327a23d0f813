namespace MLPipeline.Training.Data;

/// <summary>The data file is missing, empty or holds values that do not fit the spec. Exit code 2.</summary>
public sealed class DataException(string message, Exception? inner = null) : Exception(message, inner);
