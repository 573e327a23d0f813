namespace MLPipeline.Training.Specs;

/// <summary>The spec is missing, malformed, fails the schema, or asks for something that does not exist. Exit code 1.</summary>
public sealed class SpecException(string message, Exception? inner = null) : Exception(message, inner);
