using System.Text;
using MLPipeline.Shared.Store;

namespace MLPipeline.Shared.Tests.Store;

/// <summary>Monitoring record files: written once, listed by folder, read back byte for byte, on every backend.</summary>
public abstract partial class ModelStoreContract
{
    [Fact]
    public async Task Record_files_are_written_once_listed_under_their_folder_and_read_back()
    {
        var hour = new DateTimeOffset(2026, 11, 30, 7, 15, 0, TimeSpan.Zero);
        var first = RecordPaths.LogFile("v1", hour, "replica-a", 1);
        var second = RecordPaths.LogFile("v1", hour.AddHours(1), "replica-a", 2);
        var feedback = RecordPaths.FeedbackFile(hour, "replica-a", 1);
        first.Should().Be("logs/v1/2026/11/30/07/replica-a-000001.jsonl");
        RecordPaths.HourOf(first).Should().Be(new DateTimeOffset(2026, 11, 30, 7, 0, 0, TimeSpan.Zero));

        await Store.WriteRecordsAsync("house", second, Encoding.UTF8.GetBytes("{\"b\":2}\n"));
        await Store.WriteRecordsAsync("house", first, Encoding.UTF8.GetBytes("{\"a\":1}\n"));
        await Store.WriteRecordsAsync("house", feedback, Encoding.UTF8.GetBytes("{\"f\":1}\n"));
        await Store.WriteRecordsAsync("iris", RecordPaths.LogFile("v9", hour, "r", 1), Encoding.UTF8.GetBytes("{}\n"));

        (await Store.ListRecordsAsync("house", RecordPaths.Logs)).Should().Equal(first, second);
        (await Store.ListRecordsAsync("house", "logs/v1/2026/11/30/08")).Should().Equal(second);
        (await Store.ListRecordsAsync("house", RecordPaths.Feedback)).Should().Equal(feedback);
        (await Store.ListRecordsAsync("house", "logs/v2")).Should().BeEmpty();
        Encoding.UTF8.GetString(await Store.ReadRecordsAsync("house", first)).Should().Be("{\"a\":1}\n");

        // Record files never change: a second write of the same path is refused and the first content stays.
        await FluentActions.Awaiting(() => Store.WriteRecordsAsync("house", first, Encoding.UTF8.GetBytes("{\"a\":2}\n")))
            .Should().ThrowAsync<RecordExistsException>().WithMessage("*house/logs/v1/2026/11/30/07/replica-a-000001.jsonl*");
        Encoding.UTF8.GetString(await Store.ReadRecordsAsync("house", first)).Should().Be("{\"a\":1}\n");
        await FluentActions.Awaiting(() => Store.ReadRecordsAsync("house", "logs/v1/none.jsonl")).Should().ThrowAsync<ModelNotFoundException>();

        // Records are not versions: the model still has none.
        (await Store.ListVersionsAsync("house")).Should().BeEmpty();
    }

    [Theory]
    [InlineData("../house/versions/v1/manifest.json")]
    [InlineData("versions/v1/manifest.jsonl")]
    [InlineData("logs/../../etc/passwd.jsonl")]
    [InlineData("logs/v1/a.json")]
    [InlineData("logs//a.jsonl")]
    [InlineData("logs/v1\\a.jsonl")]
    public async Task Record_paths_outside_the_layout_are_refused_before_touching_storage(string path)
    {
        await FluentActions.Awaiting(() => Store.WriteRecordsAsync("house", path, new byte[] { 1 }))
            .Should().ThrowAsync<ArgumentException>().WithMessage("*record path*");
        await FluentActions.Awaiting(() => Store.ReadRecordsAsync("house", path)).Should().ThrowAsync<ArgumentException>();
        (await ListRawAsync()).Should().BeEmpty();
    }
}
