using System.CommandLine;
using System.Globalization;
using MLPipeline.Shared.Store;
using Spectre.Console;

namespace MLPipeline.Training.Cli;

/// <summary><c>list [&lt;name&gt;]</c>: the store's models, or one model's versions with main metric and aliases.</summary>
public static class ListCommand
{
    public static Command Create()
    {
        var name = new Argument<string?>("name") { Description = "A model name: list its versions instead of the models.", Arity = ArgumentArity.ZeroOrOne };
        var store = StoreOptions.Store();
        var json = CommandOutput.JsonOption();
        var command = new Command("list", "List the models in the store, or the versions of one model (oldest first) with their main metric and aliases.")
        {
            name, store, json,
        };
        command.SetAction((parse, cancellationToken) => CliErrors.RunAsync(
            () => RunAsync(new CommandOutput(parse), parse.GetValue(name), parse.GetValue(store), parse.GetValue(json), cancellationToken),
            parse.InvocationConfiguration.Error));
        return command;
    }

    private static async Task<int> RunAsync(CommandOutput output, string? name, string? storeLocation, bool json, CancellationToken cancellationToken)
    {
        if (name is not null)
        {
            StoreNames.Check(name, "model name");
        }

        var store = ModelStoreFactory.Open(storeLocation);
        if (name is null)
        {
            var models = new List<ModelSummary>();
            foreach (var model in await store.ListModelsAsync(cancellationToken))
            {
                var listing = await ScanAsync(output, store, model, cancellationToken);
                models.Add(await VersionSummaries.SummarizeAsync(store, model, listing.Versions, cancellationToken));
            }

            if (json)
            {
                output.Json<IReadOnlyList<ModelSummary>>(models, StoreCommandJson.Default.IReadOnlyListModelSummary);
            }
            else
            {
                WriteModels(output.Console, store.Location, models);
            }

            return ExitCodes.Ok;
        }

        var versions = (await ScanAsync(output, store, name, cancellationToken)).Versions;
        if (versions.Count == 0)
        {
            throw new ModelNotFoundException($"Model '{name}' has no versions in {store.Location}.");
        }

        var aliases = await store.ListAliasesAsync(name, cancellationToken);
        var summaries = versions.Select(v => VersionSummaries.Describe(v, aliases)).ToList();
        if (json)
        {
            output.Json<IReadOnlyList<VersionSummary>>(summaries, StoreCommandJson.Default.IReadOnlyListVersionSummary);
        }
        else
        {
            WriteVersions(output.Console, store.Location, name, summaries);
        }

        return ExitCodes.Ok;
    }

    /// <summary>
    /// The model's versions; one with an invalid manifest is left out of the result (as the store does) and named in
    /// a warning on standard error, so one bad file neither breaks the listing nor goes unnoticed.
    /// </summary>
    private static async Task<VersionListing> ScanAsync(CommandOutput output, IModelStore store, string name, CancellationToken cancellationToken)
    {
        var listing = await store.ScanVersionsAsync(name, cancellationToken);
        foreach (var invalid in listing.Invalid)
        {
            await output.Error.WriteLineAsync($"warning: skipped a version of {name}: {invalid.Message}");
        }

        return listing;
    }

    private static void WriteModels(IAnsiConsole console, string location, IReadOnlyList<ModelSummary> models)
    {
        if (models.Count == 0)
        {
            console.MarkupLine($"No models in {Markup.Escape(location)}.");
            return;
        }

        var table = new Table().Title(Markup.Escape(location)).AddColumns("Model", "Versions", "Latest", "Main metric", "Aliases");
        foreach (var m in models)
        {
            table.AddRow(
                Markup.Escape(m.Name),
                m.Versions.ToString(CultureInfo.InvariantCulture),
                Markup.Escape(m.LatestVersion ?? ""),
                Markup.Escape(Metric(m.MainMetric, m.MainMetricValue)),
                Markup.Escape(string.Join(", ", m.Aliases.Select(a => $"{a.Key} -> {a.Value}"))));
        }

        console.Write(table);
    }

    private static void WriteVersions(IAnsiConsole console, string location, string name, IReadOnlyList<VersionSummary> versions)
    {
        var table = new Table().Title(Markup.Escape($"{name} in {location}")).AddColumns("Version", "Created (UTC)", "Trainer", "Main metric (test)", "CV mean", "ONNX", "Aliases");
        foreach (var v in versions)
        {
            table.AddRow(
                Markup.Escape(v.Version),
                v.CreatedUtc.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture),
                Markup.Escape(v.Trainer),
                Markup.Escape(Metric(v.MainMetric, v.MainMetricValue)),
                v.CrossValidationMean is { } cv ? cv.ToString("F4", CultureInfo.InvariantCulture) : "-",
                v.Onnx ? "yes" : "no",
                Markup.Escape(string.Join(", ", v.Aliases)));
        }

        console.Write(table);
    }

    private static string Metric(string? name, double? value) =>
        name is null ? "" : value is null ? $"{name} n/a" : string.Create(CultureInfo.InvariantCulture, $"{name} {value:F4}");
}
