using System.Reflection;
using System.Runtime.Loader;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace MLPipeline.Serving.Tests;

/// <summary>
/// Builds generated client code into an assembly with Roslyn, against the framework this test runs on and
/// Newtonsoft.Json (which NSwag's clients use), and loads it; any compiler error fails with every message.
/// </summary>
internal static class CSharpClientCompiler
{
    public static Assembly Compile(string assemblyName, params string[] sources)
    {
        var parse = new CSharpParseOptions(LanguageVersion.Latest);
        var references = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!)
            .Split(Path.PathSeparator)
            .Append(typeof(Newtonsoft.Json.JsonConvert).Assembly.Location)
            .DistinctBy(Path.GetFileName, StringComparer.OrdinalIgnoreCase)
            .Select(path => MetadataReference.CreateFromFile(path));
        var compilation = CSharpCompilation.Create(
            assemblyName,
            sources.Select(source => CSharpSyntaxTree.ParseText(source, parse)),
            references,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));

        using var image = new MemoryStream();
        var result = compilation.Emit(image);
        var errors = result.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).Select(d => d.ToString()).ToList();
        if (!result.Success)
        {
            throw new InvalidOperationException($"The generated client does not build:{Environment.NewLine}{string.Join(Environment.NewLine, errors)}");
        }

        image.Position = 0;
        return new AssemblyLoadContext(assemblyName, isCollectible: true).LoadFromStream(image);
    }
}
