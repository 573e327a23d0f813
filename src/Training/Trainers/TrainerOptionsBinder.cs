using System.Globalization;
using System.Reflection;
using System.Text.Json;
using MLPipeline.Training.Specs;

namespace MLPipeline.Training.Trainers;

/// <summary>Sets a trainer's ML.NET Options fields from spec values by name, with errors that name the option.</summary>
public static class TrainerOptionsBinder
{
    public static void Apply(object options, string trainer, string name, JsonElement value)
    {
        var member = FindMember(options.GetType(), name)
            ?? throw new SpecException($"trainer '{trainer}': unknown option '{name}' (options: {string.Join(", ", KnownOptions(options.GetType()))}).");
        object? converted;
        try
        {
            converted = Convert(value, MemberType(member));
        }
        catch (Exception ex) when (ex is FormatException or InvalidOperationException or ArgumentException or OverflowException)
        {
            throw new SpecException($"trainer '{trainer}': option '{name}' expects {Describe(MemberType(member))}, not {value.GetRawText()}.", ex);
        }

        SetValue(options, member, converted);
    }

    /// <summary>Every option name a trainer accepts (public writable fields and properties of its Options class).</summary>
    public static IEnumerable<string> KnownOptions(Type optionsType) =>
        optionsType.GetMembers(BindingFlags.Public | BindingFlags.Instance)
            .Where(m => m is FieldInfo { IsInitOnly: false } or PropertyInfo { CanWrite: true })
            .Where(m => IsSimple(MemberType(m)))
            .Select(m => m.Name)
            .Where(n => n is not ("LabelColumnName" or "FeatureColumnName" or "ExampleWeightColumnName" or "RowGroupColumnName"))
            .Distinct()
            .Order(StringComparer.Ordinal);

    internal static void Set(object options, string name, object value) =>
        SetValue(options, FindMember(options.GetType(), name) ?? throw new InvalidOperationException($"{options.GetType().Name} has no {name}."), value);

    internal static void TrySet(object options, string name, int value)
    {
        if (FindMember(options.GetType(), name) is { } member)
        {
            SetValue(options, member, System.Convert.ChangeType(value, Nullable.GetUnderlyingType(MemberType(member)) ?? MemberType(member), CultureInfo.InvariantCulture));
        }
    }

    private static MemberInfo? FindMember(Type type, string name) =>
        type.GetMembers(BindingFlags.Public | BindingFlags.Instance)
            .FirstOrDefault(m => m is FieldInfo { IsInitOnly: false } or PropertyInfo { CanWrite: true } && string.Equals(m.Name, name, StringComparison.OrdinalIgnoreCase));

    private static Type MemberType(MemberInfo member) => member is FieldInfo f ? f.FieldType : ((PropertyInfo)member).PropertyType;

    private static void SetValue(object target, MemberInfo member, object? value)
    {
        if (member is FieldInfo field)
        {
            field.SetValue(target, value);
        }
        else
        {
            ((PropertyInfo)member).SetValue(target, value);
        }
    }

    private static bool IsSimple(Type type)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        return type.IsPrimitive || type.IsEnum || type == typeof(string) || type == typeof(decimal);
    }

    private static string Describe(Type type)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        return type.IsEnum ? $"one of {string.Join(", ", Enum.GetNames(type))}" : $"a {type.Name}";
    }

    private static object? Convert(JsonElement value, Type type)
    {
        var target = Nullable.GetUnderlyingType(type) ?? type;
        if (value.ValueKind == JsonValueKind.Null)
        {
            return Nullable.GetUnderlyingType(type) is not null || !type.IsValueType ? null : throw new FormatException();
        }

        if (target == typeof(bool))
        {
            return value.GetBoolean();
        }

        if (target == typeof(string))
        {
            return value.ValueKind == JsonValueKind.String ? value.GetString() : value.GetRawText();
        }

        if (target.IsEnum)
        {
            return Enum.Parse(target, value.GetString() ?? throw new FormatException(), ignoreCase: true);
        }

        if (value.ValueKind != JsonValueKind.Number)
        {
            throw new FormatException();
        }

        if (target == typeof(int) || target == typeof(long) || target == typeof(uint) || target == typeof(ulong))
        {
            // Whole numbers only: 2.5 trees is a mistake, not a rounding.
            var number = value.GetDouble();
            if (number != Math.Floor(number))
            {
                throw new FormatException();
            }
        }

        return System.Convert.ChangeType(value.GetDouble(), target, CultureInfo.InvariantCulture);
    }
}
