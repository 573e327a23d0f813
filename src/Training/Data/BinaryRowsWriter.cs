using System.Reflection;
using Microsoft.ML;

namespace MLPipeline.Training.Data;

/// <summary>
/// Writes rows in ML.NET's binary data format (what <c>LoadFromBinary</c> reads) with uncompressed blocks of a
/// fixed row count. <c>SaveAsBinary</c> deflates every block, which took more CPU than parsing the CSV, and
/// sizes its blocks by reading the rows twice; the same saver, given these two settings, does neither. Its
/// options are internal to ML.NET, so they are set by name; if a new ML.NET moves them, this fails at once
/// with the member's name (a test writes and reads back a file, so an upgrade shows it in CI).
/// </summary>
internal static class BinaryRowsWriter
{
    public const int RowsPerBlock = 1_024;

    private const string SaverType = "Microsoft.ML.Data.IO.BinarySaver";

    public static void Write(MLContext ml, IDataView rows, Stream stream)
    {
        var assembly = typeof(Microsoft.ML.Data.TextLoader).Assembly;
        var saverType = assembly.GetType(SaverType) ?? throw Moved(SaverType);
        var argumentsType = saverType.GetNestedType("Arguments", BindingFlags.Public | BindingFlags.NonPublic) ?? throw Moved(SaverType + ".Arguments");
        var arguments = Activator.CreateInstance(argumentsType)!;
        Set(argumentsType, arguments, "Compression", Enum.ToObject(Field(argumentsType, "Compression").FieldType, 0)); // CompressionKind.None
        Set(argumentsType, arguments, "MaxRowsPerBlock", (int?)RowsPerBlock);
        Set(argumentsType, arguments, "MaxBytesPerBlock", (long?)null);
        Set(argumentsType, arguments, "Silent", true);
        var constructor = saverType.GetConstructor(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance, [typeof(Microsoft.ML.Runtime.IHostEnvironment), argumentsType])
            ?? throw Moved(SaverType + "(IHostEnvironment, Arguments)");
        var saver = constructor.Invoke([ml, arguments]);
        var save = saverType.GetMethod("SaveData", [typeof(Stream), typeof(IDataView), typeof(int[])]) ?? throw Moved(SaverType + ".SaveData");
        var columns = rows.Schema.Where(c => !c.IsHidden).Select(c => c.Index).ToArray();
        try
        {
            save.Invoke(saver, [stream, rows, columns]);
        }
        catch (TargetInvocationException ex) when (ex.InnerException is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(ex.InnerException);
        }
    }

    private static FieldInfo Field(Type type, string name) =>
        type.GetField(name, BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance) ?? throw Moved($"{type.FullName}.{name}");

    private static void Set(Type type, object target, string name, object? value) => Field(type, name).SetValue(target, value);

    private static InvalidOperationException Moved(string member) =>
        new($"ML.NET's binary saver has changed: '{member}' is not where ML.NET 5.0 keeps it. Update {nameof(BinaryRowsWriter)} for this ML.NET version.");
}
