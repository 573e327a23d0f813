namespace MLPipeline.Shared.Rollout;

/// <summary>
/// The content of <c>&lt;name&gt;/rollout-stats/&lt;replica&gt;.json</c>: one replica's figures for one step of one
/// rollout, rewritten every few seconds. Figures of another rollout or another step are ignored when summed.
/// </summary>
public sealed record ReplicaFigures
{
    public const string Folder = "rollout-stats";

    public required string Model { get; init; }
    public required string RolloutId { get; init; }
    public required DateTimeOffset StepStartedUtc { get; init; }
    public required string Replica { get; init; }
    public required DateTimeOffset WrittenUtc { get; init; }

    /// <summary>Figures per version name.</summary>
    public required Dictionary<string, VersionFigures> Versions { get; init; }

    /// <summary>Shadow copies dropped because the queue was full.</summary>
    public long ShadowDropped { get; init; }

    /// <summary>This replica's live quality per version name (monitoring's joined feedback), or null when it has none.</summary>
    public Dictionary<string, LiveQuality>? Quality { get; init; }

    /// <summary>Why this replica cannot use the candidate (it failed to load, or its version is gone from the store), or null.</summary>
    public string? CandidateProblem { get; init; }

    public static string PathOf(string replica) => $"{Folder}/{replica}.json";
}

/// <summary>The figures of every replica for the current step of a rollout, summed.</summary>
public sealed record RolloutFigures(
    IReadOnlyDictionary<string, VersionFigures> Versions,
    IReadOnlyList<string> Replicas,
    long ShadowDropped,
    IReadOnlyList<string> CandidateProblems)
{
    public static RolloutFigures Empty { get; } = new(new Dictionary<string, VersionFigures>(), [], 0, []);

    /// <summary>Live quality per version over every replica that reported it (see <see cref="LiveQuality.Combine"/>).</summary>
    public IReadOnlyDictionary<string, LiveQuality> Quality { get; init; } = new Dictionary<string, LiveQuality>();

    public VersionFigures Of(string version) => Versions.GetValueOrDefault(version) ?? new VersionFigures();

    /// <summary>Sums the files of the rollout's current step; files of another rollout or step are left out.</summary>
    public static RolloutFigures Sum(RolloutRecord record, IEnumerable<ReplicaFigures> files)
    {
        var versions = new Dictionary<string, VersionFigures>(StringComparer.Ordinal);
        var replicas = new List<string>();
        var problems = new List<string>();
        var quality = new Dictionary<string, List<LiveQuality>>(StringComparer.Ordinal);
        long dropped = 0;
        foreach (var file in files.Where(f => f.RolloutId == record.Id && f.StepStartedUtc == record.StepStartedUtc).OrderBy(f => f.Replica, StringComparer.Ordinal))
        {
            replicas.Add(file.Replica);
            dropped += file.ShadowDropped;
            if (file.CandidateProblem is { } problem)
            {
                problems.Add($"{file.Replica}: {problem}");
            }

            foreach (var (version, live) in file.Quality ?? [])
            {
                if (!quality.TryGetValue(version, out var reports))
                {
                    quality[version] = reports = [];
                }

                reports.Add(live);
            }

            foreach (var (version, figures) in file.Versions)
            {
                if (!versions.TryGetValue(version, out var sum))
                {
                    versions[version] = sum = new VersionFigures();
                }

                sum.Merge(figures);
            }
        }

        return new RolloutFigures(versions, replicas, dropped, problems)
        {
            Quality = quality.Where(q => LiveQuality.Combine(q.Value) is not null).ToDictionary(q => q.Key, q => LiveQuality.Combine(q.Value)!, StringComparer.Ordinal),
        };
    }

    public IReadOnlyDictionary<string, FiguresSummary> Summaries(RolloutRecord record) => new Dictionary<string, FiguresSummary>
    {
        [record.Stable] = Of(record.Stable).Summarize() with { Quality = Quality.GetValueOrDefault(record.Stable) },
        [record.Candidate] = Of(record.Candidate).Summarize() with { Quality = Quality.GetValueOrDefault(record.Candidate) },
    };
}
