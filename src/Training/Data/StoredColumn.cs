namespace MLPipeline.Training.Data;

/// <summary>
/// A CSV column as the one pass stores it in the binary file: as a float (numeric features, a regression
/// label) or as text (categorical and text features, a class label). <paramref name="Declared"/> says whether
/// the spec fixed its role; an inferred column stored as a number turns out to be text only if a later value
/// is not a number, and then the pass starts again with it stored as text.
/// </summary>
internal sealed record StoredColumn(string Name, int Index, bool IsNumber, bool Declared, bool IsLabel);
