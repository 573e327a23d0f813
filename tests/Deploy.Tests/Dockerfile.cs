namespace MLPipeline.Deploy.Tests;

/// <summary>A Dockerfile read as instructions (continuation lines joined, comments dropped), grouped by stage.</summary>
public sealed class Dockerfile
{
    private Dockerfile(string path, IReadOnlyList<Instruction> instructions)
    {
        Path = path;
        Instructions = instructions;
    }

    public string Path { get; }

    public IReadOnlyList<Instruction> Instructions { get; }

    public IReadOnlyList<IReadOnlyList<Instruction>> Stages =>
        Instructions.Aggregate(new List<List<Instruction>>(), (stages, instruction) =>
        {
            if (instruction.Keyword == "FROM")
            {
                stages.Add([]);
            }

            if (stages.Count > 0)
            {
                stages[^1].Add(instruction);
            }

            return stages;
        });

    public IReadOnlyList<Instruction> FinalStage => Stages[^1];

    public static IReadOnlyList<string> All => Directory.EnumerateFiles(RepoRoot.DeployAzure, "Dockerfile.*").Order(StringComparer.Ordinal).ToList();

    public static Dockerfile Load(string path)
    {
        var instructions = new List<Instruction>();
        var pending = string.Empty;
        foreach (var raw in File.ReadLines(path))
        {
            var line = raw.Trim();
            if (pending.Length == 0 && (line.Length == 0 || line.StartsWith('#')))
            {
                continue;
            }

            if (line.EndsWith('\\'))
            {
                pending += line[..^1] + " ";
                continue;
            }

            var text = (pending + line).Trim();
            pending = string.Empty;
            var space = text.IndexOf(' ', StringComparison.Ordinal);
            instructions.Add(new Instruction(text[..space].ToUpperInvariant(), text[(space + 1)..].Trim()));
        }

        return new Dockerfile(path, instructions);
    }

    public override string ToString() => System.IO.Path.GetFileName(Path);

    public sealed record Instruction(string Keyword, string Arguments)
    {
        public IReadOnlyList<string> Words => Arguments.Split(' ', StringSplitOptions.RemoveEmptyEntries);
    }
}
