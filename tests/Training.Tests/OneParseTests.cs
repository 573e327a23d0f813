using System.Text.Json.Nodes;
using MLPipeline.TestSupport;
using MLPipeline.Training.Cli;
using MLPipeline.Training.Runs;
using MLPipeline.Training.Specs;

namespace MLPipeline.Training.Tests;

/// <summary>A training run reads the CSV's bytes exactly once, and nothing reads the file after that read.</summary>
public class OneParseTests
{
    [Fact]
    public void A_run_with_cross_validation_ONNX_and_a_report_reads_the_text_once()
    {
        using var dir = new TempFolder();
        var csv = Path.Combine(dir.Path, "penguins.csv");
        File.Copy(RepositoryRoot.Data("penguins.csv"), csv);
        // The data path is relative to the spec's folder, as in the bundled specs.
        var spec = SpecLoader.Load(new TestSpec("m", "penguins.csv", "species", "multiclass", new JsonArray("SdcaMaximumEntropy", "LightGbm"))
            .With("folds", 3).With("testFraction", 0.2).WriteTo(dir));
        var counted = new List<CountingStream>();
        var progress = new MovingProgress(csv);

        using var run = new TrainedInProcess(new TrainingRun(spec, progress)
        {
            OpenData = path =>
            {
                var stream = new CountingStream(File.OpenRead(path));
                counted.Add(stream);
                return stream;
            },
        }.Execute());
        var result = run.Result;

        counted.Should().ContainSingle("the CSV is opened once");
        counted[0].BytesRead.Should().Be(new FileInfo(progress.MovedTo!).Length, "every byte is read once");
        progress.MovedTo.Should().NotBeNull("the file was moved away as soon as its one read was done, and the run still trained");
        var data = result.Manifest.TrainingData;
        data.Rows.Should().Be(344);
        (data.TrainRows + data.TestRows).Should().Be(344);
        data.TestRows.Should().BeInRange(50, 90);
        result.Manifest.Onnx!.ParityRows.Should().Be(data.TestRows + 2, "parity runs on the test rows plus the missing and unseen rows");
        result.Manifest.Timings!.Select(t => t.Step).Should().StartWith("profile")
            .And.Contain(["search: grid, 2 trial(s)", "featurization statistics", "final fit", "evaluation", "permutation importance", "ONNX export and parity", "report"]);
        result.Manifest.Search!.Trials.Select(t => t.Trainer).Should().Equal("SdcaMaximumEntropy", "LightGbm");
    }

    /// <summary>Moves the CSV elsewhere when the step after the read starts: any later read of it would fail.</summary>
    private sealed class MovingProgress(string csv) : IRunProgress
    {
        public string? MovedTo { get; private set; }

        public IProgressStep Start(string description, int total = 1)
        {
            if (MovedTo is null && !description.StartsWith("Reading", StringComparison.Ordinal))
            {
                MovedTo = csv + ".moved";
                File.Move(csv, MovedTo);
            }

            return SilentProgress.Instance.Start(description, total);
        }

        public void Note(string message)
        {
        }
    }

    private sealed class CountingStream(Stream inner) : Stream
    {
        public long BytesRead { get; private set; }

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => inner.Length;

        public override long Position { get => inner.Position; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count)
        {
            var read = inner.Read(buffer, offset, count);
            BytesRead += read;
            return read;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
