using System.Text;
using MLPipeline.Shared.Store;

namespace MLPipeline.Shared.Tests.Store;

/// <summary>Documents beside the aliases (rollout.json, rollout-stats/*.json): conditional writes on every backend.</summary>
public abstract partial class ModelStoreContract
{
    [Fact]
    public async Task A_document_is_created_once_then_replaced_only_at_the_etag_it_was_read_at()
    {
        (await Store.FindDocumentAsync("house", "rollout.json")).Should().BeNull();

        var created = await Store.WriteDocumentAsync("house", "rollout.json", "{\"n\":1}"u8.ToArray(), DocumentCondition.Absent);
        await FluentActions.Awaiting(() => Store.WriteDocumentAsync("house", "rollout.json", "{\"n\":9}"u8.ToArray(), DocumentCondition.Absent))
            .Should().ThrowAsync<DocumentConflictException>().WithMessage("*house/rollout.json*written by someone else*");

        var read = await Store.FindDocumentAsync("house", "rollout.json");
        read!.ETag.Should().Be(created);
        Encoding.UTF8.GetString(read.Content).Should().Be("{\"n\":1}");

        var replaced = await Store.WriteDocumentAsync("house", "rollout.json", "{\"n\":2}"u8.ToArray(), DocumentCondition.Unchanged(read));
        replaced.Should().NotBe(created);
        await FluentActions.Awaiting(() => Store.WriteDocumentAsync("house", "rollout.json", "{\"n\":3}"u8.ToArray(), DocumentCondition.Matching(created)))
            .Should().ThrowAsync<DocumentConflictException>();
        Encoding.UTF8.GetString((await Store.FindDocumentAsync("house", "rollout.json"))!.Content).Should().Be("{\"n\":2}");
    }

    [Fact]
    public async Task Racing_writers_that_read_the_same_document_land_exactly_one_write()
    {
        var initial = await Store.WriteDocumentAsync("house", "rollout.json", "{\"step\":0}"u8.ToArray(), DocumentCondition.Absent);
        var outcomes = await Task.WhenAll(Enumerable.Range(1, 8).Select(i => Task.Run(async () =>
        {
            try
            {
                await Store.WriteDocumentAsync("house", "rollout.json", Encoding.UTF8.GetBytes($"{{\"step\":{i}}}"), DocumentCondition.Matching(initial));
                return i;
            }
            catch (DocumentConflictException)
            {
                return 0;
            }
        })));

        var winners = outcomes.Where(i => i > 0).ToList();
        winners.Should().ContainSingle();
        Encoding.UTF8.GetString((await Store.FindDocumentAsync("house", "rollout.json"))!.Content).Should().Be($"{{\"step\":{winners[0]}}}");
    }

    [Fact]
    public async Task Documents_of_a_folder_are_listed_and_overwritten_without_a_condition()
    {
        await Store.WriteDocumentAsync("house", "rollout-stats/replica-b.json", "{}"u8.ToArray(), DocumentCondition.None);
        await Store.WriteDocumentAsync("house", "rollout-stats/replica-a.json", "{}"u8.ToArray(), DocumentCondition.None);
        await Store.WriteDocumentAsync("house", "rollout-stats/replica-a.json", "{\"a\":2}"u8.ToArray(), DocumentCondition.None);
        await Store.WriteDocumentAsync("other", "rollout-stats/replica-c.json", "{}"u8.ToArray(), DocumentCondition.None);

        (await Store.ListDocumentsAsync("house", "rollout-stats")).Should().Equal("rollout-stats/replica-a.json", "rollout-stats/replica-b.json");
        (await Store.ListDocumentsAsync("house", "nothing")).Should().BeEmpty();
        Encoding.UTF8.GetString((await Store.FindDocumentAsync("house", "rollout-stats/replica-a.json"))!.Content).Should().Be("{\"a\":2}");
        (await Store.ListModelsAsync()).Should().BeEmpty("documents alone do not make a model");

        (await Store.DeleteDocumentAsync("house", "rollout-stats/replica-a.json")).Should().BeTrue();
        (await Store.DeleteDocumentAsync("house", "rollout-stats/replica-a.json")).Should().BeFalse("it is gone");
        (await Store.DeleteDocumentAsync("nobody", "rollout-stats/replica-a.json")).Should().BeFalse();
        (await Store.ListDocumentsAsync("house", "rollout-stats")).Should().Equal("rollout-stats/replica-b.json");
        (await Store.FindDocumentAsync("house", "rollout-stats/replica-a.json")).Should().BeNull();
    }

    [Theory]
    [InlineData("versions/v1/manifest.json")]
    [InlineData("aliases/production.json")]
    [InlineData("../rollout.json")]
    [InlineData("rollout.txt")]
    [InlineData("a/b/c.json")]
    public async Task Document_paths_outside_the_document_area_are_refused(string path)
    {
        await FluentActions.Awaiting(() => Store.WriteDocumentAsync("house", path, "{}"u8.ToArray(), DocumentCondition.None))
            .Should().ThrowAsync<ArgumentException>().WithMessage("*document path*");
        await FluentActions.Awaiting(() => Store.FindDocumentAsync("house", path)).Should().ThrowAsync<ArgumentException>();
        await FluentActions.Awaiting(() => Store.DeleteDocumentAsync("house", path)).Should().ThrowAsync<ArgumentException>();
    }
}
