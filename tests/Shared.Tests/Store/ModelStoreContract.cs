using MLPipeline.Shared.Manifest;
using MLPipeline.Shared.Store;
using MLPipeline.TestSupport;

namespace MLPipeline.Shared.Tests.Store;

/// <summary>
/// The store contract, run against every backend: each subclass provides a fresh, empty store and raw access to
/// its storage (to tamper with it the way a faulty disk, a person or a crashed publisher would).
/// </summary>
public abstract partial class ModelStoreContract : IAsyncLifetime
{
    private readonly List<string> _packages = [];

    protected IModelStore Store { get; set; } = null!;

    public abstract Task InitializeAsync();

    public virtual Task DisposeAsync()
    {
        foreach (var dir in _packages)
        {
            Directory.Delete(dir, recursive: true);
        }

        return Task.CompletedTask;
    }

    /// <summary>Writes bytes straight into the store's storage at a layout path (e.g. house/versions/v1/model.zip).</summary>
    protected abstract Task WriteRawAsync(string path, byte[] content);

    /// <summary>Every file or blob the storage holds, including any outside the store's root folder or prefix.</summary>
    protected abstract Task<IReadOnlyList<string>> ListRawAsync();

    protected string Package(string name, string version, double rSquared = 0.9, DateTimeOffset? createdUtc = null, bool withOnnx = false)
    {
        var dir = TestModelPackage.Create(name, version, rSquared, createdUtc, withOnnx: withOnnx);
        _packages.Add(dir);
        return dir;
    }

    protected async Task<ModelManifest> PublishAsync(string name, string version, DateTimeOffset? createdUtc = null) =>
        await Store.PublishAsync(Package(name, version, createdUtc: createdUtc));

    [Fact]
    public async Task Published_versions_are_listed_oldest_first_and_found_with_their_manifest()
    {
        var t0 = DateTimeOffset.UtcNow.AddHours(-1);
        await PublishAsync("house", "v2", t0.AddMinutes(2));
        var first = await Store.PublishAsync(Package("house", "v1", rSquared: 0.81, createdUtc: t0, withOnnx: true));
        await PublishAsync("iris", "2026.1");

        (await Store.ListModelsAsync()).Should().Equal("house", "iris");
        (await Store.ListVersionsAsync("house")).Select(m => m.Version).Should().Equal("v1", "v2");
        (await Store.ListVersionsAsync("unknown")).Should().BeEmpty();

        var found = await Store.FindVersionAsync("house", "v1");
        found.Should().NotBeNull();
        found!.Metrics.Test["RSquared"].Should().Be(0.81);
        found.Artifacts.Should().BeEquivalentTo(first.Artifacts);
        found.Artifacts.Keys.Should().BeEquivalentTo(ModelManifest.ModelFileName, ModelManifest.OnnxFileName);
        (await Store.FindVersionAsync("house", "v9")).Should().BeNull();
    }

    [Fact]
    public async Task References_resolve_to_the_newest_version_a_pinned_version_or_an_alias()
    {
        var t0 = DateTimeOffset.UtcNow.AddHours(-1);
        await PublishAsync("house", "v1", t0);
        await PublishAsync("house", "v2", t0.AddMinutes(1));
        await Store.PromoteAsync("house", "v1", "production");

        (await Store.ResolveAsync(ModelReference.Parse("house"))).Version.Should().Be("v2");
        (await Store.ResolveAsync(ModelReference.Parse("house:v1"))).Version.Should().Be("v1");
        (await Store.ResolveAsync(ModelReference.Parse("house@production"))).Version.Should().Be("v1");

        await FluentActions.Awaiting(() => Store.ResolveAsync(ModelReference.Parse("house@staging")))
            .Should().ThrowAsync<ModelNotFoundException>().WithMessage("*house@staging*");
        await FluentActions.Awaiting(() => Store.ResolveAsync(ModelReference.Parse("house:v7")))
            .Should().ThrowAsync<ModelNotFoundException>().WithMessage("*house:v7*");
        await FluentActions.Awaiting(() => Store.ResolveAsync(ModelReference.Parse("nothing")))
            .Should().ThrowAsync<ModelNotFoundException>().WithMessage("*nothing*");
    }

    [Fact]
    public async Task Promote_records_the_previous_version_and_who_moved_the_alias_when()
    {
        await PublishAsync("house", "v1");
        await PublishAsync("house", "v2");
        var before = DateTimeOffset.UtcNow.AddSeconds(-5);

        var first = await Store.PromoteAsync("house", "v1", "production");
        first.PreviousVersion.Should().BeNull();
        var second = await Store.PromoteAsync("house", "v2", "production");
        await Store.PromoteAsync("house", "v1", "staging");

        second.Version.Should().Be("v2");
        second.PreviousVersion.Should().Be("v1");
        var stored = await Store.FindAliasAsync("house", "production");
        stored!.Version.Should().Be("v2");
        stored.PreviousVersion.Should().Be("v1");
        stored.MovedBy.Should().Be(AliasMover.Identity);
        stored.MovedUtc.Should().BeAfter(before).And.BeBefore(DateTimeOffset.UtcNow.AddSeconds(5));
        stored.ETag.Should().NotBeNullOrEmpty().And.Be(second.ETag);

        (await Store.ListAliasesAsync("house")).Select(a => (a.Alias, a.Version)).Should().Equal(("production", "v2"), ("staging", "v1"));
        (await Store.ListAliasesAsync("unknown")).Should().BeEmpty();
    }

    [Fact]
    public async Task An_alias_cannot_point_at_a_version_that_does_not_exist()
    {
        await PublishAsync("house", "v1");

        await FluentActions.Awaiting(() => Store.PromoteAsync("house", "v404", "production"))
            .Should().ThrowAsync<ModelNotFoundException>().WithMessage("*house:v404*");
        (await Store.FindAliasAsync("house", "production")).Should().BeNull();
    }

    [Fact]
    public async Task Rollback_moves_the_alias_back_to_its_previous_version()
    {
        await PublishAsync("house", "v1");
        await PublishAsync("house", "v2");
        await Store.PromoteAsync("house", "v1", "production");

        await FluentActions.Awaiting(() => Store.RollbackAsync("house", "production"))
            .Should().ThrowAsync<ModelStoreException>().WithMessage("*no previous version*");

        await Store.PromoteAsync("house", "v2", "production");
        var rolledBack = await Store.RollbackAsync("house", "production");

        rolledBack.Version.Should().Be("v1");
        rolledBack.PreviousVersion.Should().Be("v2");
        (await Store.ResolveAsync(ModelReference.Parse("house@production"))).Version.Should().Be("v1");
        await FluentActions.Awaiting(() => Store.RollbackAsync("house", "staging"))
            .Should().ThrowAsync<ModelNotFoundException>().WithMessage("*house@staging*");
    }

    [Fact]
    public async Task A_version_is_immutable_a_second_publish_fails_and_changes_nothing()
    {
        var original = await PublishAsync("house", "v1");

        await FluentActions.Awaiting(() => PublishAsync("house", "v1"))
            .Should().ThrowAsync<ModelVersionExistsException>().WithMessage("*house:v1 already exists*immutable*");

        var stored = await Store.FindVersionAsync("house", "v1");
        stored!.Artifacts.Should().BeEquivalentTo(original.Artifacts);
        (await Store.ReadArtifactAsync(stored, ModelManifest.ModelFileName)).Length.Should().Be((int)original.Artifacts[ModelManifest.ModelFileName].Size);
    }

    [Fact]
    public async Task A_tampered_artifact_is_refused()
    {
        var manifest = await PublishAsync("house", "v1");
        var size = (int)manifest.Artifacts[ModelManifest.ModelFileName].Size;
        var forged = new byte[size];
        Random.Shared.NextBytes(forged);

        await WriteRawAsync("house/versions/v1/model.zip", forged);

        await FluentActions.Awaiting(() => Store.ReadArtifactAsync(manifest, ModelManifest.ModelFileName))
            .Should().ThrowAsync<ModelIntegrityException>().WithMessage("*house:v1/model.zip has SHA-256*tampered*");
        var target = Directory.CreateTempSubdirectory("download-").FullName;
        try
        {
            await FluentActions.Awaiting(() => Store.DownloadAsync(manifest, target)).Should().ThrowAsync<ModelIntegrityException>();
        }
        finally
        {
            Directory.Delete(target, recursive: true);
        }
    }

    [Fact]
    public async Task A_truncated_artifact_is_refused()
    {
        var manifest = await PublishAsync("house", "v1");
        var bytes = await Store.ReadArtifactAsync(manifest, ModelManifest.ModelFileName);

        await WriteRawAsync("house/versions/v1/model.zip", bytes[..(bytes.Length / 2)]);

        await FluentActions.Awaiting(() => Store.ReadArtifactAsync(manifest, ModelManifest.ModelFileName))
            .Should().ThrowAsync<ModelIntegrityException>().WithMessage($"*is {bytes.Length / 2} bytes but the manifest records {bytes.Length}*truncated*");
    }

    [Fact]
    public async Task A_version_without_its_manifest_is_never_visible()
    {
        await PublishAsync("house", "v1");
        // What a publisher that crashed before the manifest leaves behind.
        await WriteRawAsync("house/versions/v2/model.zip", [1, 2, 3]);
        await WriteRawAsync("ghost/versions/v1/model.zip", [1, 2, 3]);

        (await Store.ListModelsAsync()).Should().Equal("house");
        (await Store.ListVersionsAsync("house")).Select(m => m.Version).Should().Equal("v1");
        (await Store.ListVersionsAsync("ghost")).Should().BeEmpty();
        (await Store.FindVersionAsync("house", "v2")).Should().BeNull();
        (await Store.ResolveAsync(ModelReference.Parse("house"))).Version.Should().Be("v1");
        await FluentActions.Awaiting(() => Store.PromoteAsync("house", "v2", "production")).Should().ThrowAsync<ModelNotFoundException>();
    }

    [Fact]
    public async Task A_stale_alias_record_cannot_move_the_alias()
    {
        await PublishAsync("house", "v1");
        await PublishAsync("house", "v2");
        var stale = await Store.PromoteAsync("house", "v1", "production");
        await Store.PromoteAsync("house", "v2", "production");

        await FluentActions.Awaiting(() => Store.MoveAliasAsync("house", "production", "v1", stale))
            .Should().ThrowAsync<AliasConflictException>().WithMessage("*house@production*moved by someone else*");
        await FluentActions.Awaiting(() => Store.MoveAliasAsync("house", "production", "v1", expected: null))
            .Should().ThrowAsync<AliasConflictException>();
        (await Store.FindAliasAsync("house", "production"))!.Version.Should().Be("v2");
    }

    [Fact]
    public async Task A_move_confirmed_on_a_seen_alias_lands_only_while_the_alias_is_as_seen_and_records_who_moved_it()
    {
        await PublishAsync("house", "v1");
        await PublishAsync("house", "v2");
        (await Store.PromoteAsync("house", "v1", "staging", SeenAlias.Absent, "ui:ops")).MovedBy.Should().Be("ui:ops");
        var seen = SeenAlias.Of(await Store.FindAliasAsync("house", "staging"));

        // Someone else moves it between the look and the confirmation: the confirmed move must not land.
        await Store.PromoteAsync("house", "v2", "staging");
        await FluentActions.Awaiting(() => Store.PromoteAsync("house", "v1", "staging", seen, "ui:ops"))
            .Should().ThrowAsync<AliasConflictException>();
        await FluentActions.Awaiting(() => Store.RollbackAsync("house", "staging", seen, "ui:ops"))
            .Should().ThrowAsync<AliasConflictException>();
        await FluentActions.Awaiting(() => Store.PromoteAsync("house", "v1", "production", seen, "ui:ops"))
            .Should().ThrowAsync<AliasConflictException>("the alias did not exist when it was seen as existing");

        var rolledBack = await Store.RollbackAsync("house", "staging", SeenAlias.Of(await Store.FindAliasAsync("house", "staging")), "ui:ops");
        rolledBack.Version.Should().Be("v1");
        var stored = await Store.FindAliasAsync("house", "staging");
        stored!.Version.Should().Be("v1");
        stored.MovedBy.Should().Be("ui:ops");
    }

    [Fact]
    public async Task Racing_promoters_that_read_the_same_alias_land_exactly_one_move()
    {
        const int promoters = 8;
        await PublishAsync("house", "v0");
        for (var i = 1; i <= promoters; i++)
        {
            await PublishAsync("house", $"v{i}");
        }

        var initial = await Store.PromoteAsync("house", "v0", "production");
        var outcomes = await Task.WhenAll(Enumerable.Range(1, promoters).Select(i => Task.Run(async () =>
        {
            try
            {
                return (Moved: await Store.MoveAliasAsync("house", "production", $"v{i}", initial), Conflict: false);
            }
            catch (AliasConflictException)
            {
                return (Moved: (AliasRecord?)null, Conflict: true);
            }
        })));

        var landed = outcomes.Where(o => o.Moved is not null).Select(o => o.Moved!).ToList();
        landed.Should().ContainSingle("every promoter read the same alias state, so only one condition can hold");
        outcomes.Count(o => o.Conflict).Should().Be(promoters - 1);
        var final = await Store.FindAliasAsync("house", "production");
        final!.Version.Should().Be(landed[0].Version);
        final.PreviousVersion.Should().Be("v0");
    }

    [Fact]
    public async Task Racing_promoters_that_retry_on_conflict_all_land_and_no_move_is_lost()
    {
        const int promoters = 6;
        await PublishAsync("house", "v0");
        for (var i = 1; i <= promoters; i++)
        {
            await PublishAsync("house", $"v{i}");
        }

        await Store.PromoteAsync("house", "v0", "production");
        var landed = await Task.WhenAll(Enumerable.Range(1, promoters).Select(i => Task.Run(async () =>
        {
            for (var attempt = 0; attempt < 200; attempt++)
            {
                try
                {
                    return await Store.PromoteAsync("house", $"v{i}", "production");
                }
                catch (AliasConflictException)
                {
                    await Task.Delay(Random.Shared.Next(1, 20));
                }
            }

            throw new TimeoutException($"Promoter of v{i} never landed.");
        })));

        // Each landed move replaced exactly the version the previous landed move set: following PreviousVersion
        // from the initial v0 must visit every move once and end at the alias's final version. A lost update
        // would show as two moves replacing the same version.
        landed.Select(r => r.PreviousVersion).Should().OnlyHaveUniqueItems();
        var byPrevious = landed.ToDictionary(r => r.PreviousVersion!);
        var chain = new List<string>();
        for (var at = "v0"; byPrevious.TryGetValue(at, out var next); at = next.Version)
        {
            chain.Add(next.Version);
        }

        chain.Should().HaveCount(promoters).And.BeEquivalentTo(Enumerable.Range(1, promoters).Select(i => $"v{i}"));
        (await Store.FindAliasAsync("house", "production"))!.Version.Should().Be(chain[^1]);
    }

    [Fact]
    public async Task Download_writes_verified_artifacts_and_the_manifest()
    {
        var manifest = await Store.PublishAsync(Package("house", "v1", withOnnx: true));
        var target = Directory.CreateTempSubdirectory("download-").FullName;
        try
        {
            await Store.DownloadAsync(manifest, target);

            Directory.GetFiles(target).Select(Path.GetFileName).Should().BeEquivalentTo("model.zip", "model.onnx", "manifest.json");
            VersionFolder.ReadVerified(target).Version.Should().Be("v1");
        }
        finally
        {
            Directory.Delete(target, recursive: true);
        }
    }

    [Fact]
    public async Task Unsafe_names_are_rejected_before_touching_storage()
    {
        await FluentActions.Awaiting(() => Store.FindVersionAsync("../etc", "v1")).Should().ThrowAsync<ArgumentException>().WithMessage("*model name*");
        await FluentActions.Awaiting(() => Store.FindAliasAsync("house", "a/b")).Should().ThrowAsync<ArgumentException>().WithMessage("*alias*");
    }

    [Theory]
    [InlineData("CON")]
    [InlineData("lpt1.backup")]
    [InlineData("v1.")]
    public async Task Names_a_folder_store_on_Windows_cannot_hold_are_refused_on_every_store(string unportable)
    {
        await FluentActions.Awaiting(() => Store.PublishAsync(Package("house", unportable))).Should().ThrowAsync<Exception>().WithMessage("*Windows*");
        await FluentActions.Awaiting(() => Store.PublishAsync(Package(unportable, "v1"))).Should().ThrowAsync<Exception>().WithMessage("*Windows*");
        await PublishAsync("house", "v1");
        await FluentActions.Awaiting(() => Store.MoveAliasAsync("house", unportable, "v1", expected: null)).Should().ThrowAsync<ArgumentException>().WithMessage("*Windows*");
        (await Store.ListVersionsAsync("house")).Select(v => v.Version).Should().Equal("v1");
    }
}
