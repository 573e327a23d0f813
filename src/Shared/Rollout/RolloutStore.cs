using System.Text.Json;
using MLPipeline.Shared.Store;

namespace MLPipeline.Shared.Rollout;

/// <summary>
/// A model's rollout in its store: the record (read validated, written only at the ETag it was read at), the
/// replicas' figures, and one step of the judge: read, sum, decide, write. Replicas and the CLI share this code.
/// </summary>
public sealed class RolloutStore(IModelStore store)
{
    public IModelStore Store { get; } = store;

    /// <summary>The record with its ETag, or null when the model never had a rollout.</summary>
    /// <exception cref="InvalidRolloutException">The stored record is malformed or breaks a rule (named).</exception>
    public async Task<RolloutRecord?> ReadAsync(string name, CancellationToken cancellationToken = default)
    {
        var document = await Store.FindDocumentAsync(name, RolloutRecord.FileName, cancellationToken);
        if (document is null)
        {
            return null;
        }

        var file = $"{Store.Location}/{name}/{RolloutRecord.FileName}";
        RolloutRecord record;
        try
        {
            record = JsonSerializer.Deserialize(document.Content, RolloutJsonContext.Default.RolloutRecord)
                ?? throw new InvalidRolloutException($"{file}: invalid rollout record: the file holds null.");
        }
        catch (JsonException ex)
        {
            throw new InvalidRolloutException($"{file}: invalid rollout record: {ex.Message}", ex);
        }

        RolloutValidation.ThrowIfInvalid(record, name, file);
        return record with { ETag = document.ETag };
    }

    /// <summary>
    /// Writes <paramref name="next"/> only if the record is still <paramref name="read"/> (null: none existed). A write
    /// that ends a rollout also deletes the replicas' figures files: the figures that ended it are in the history.
    /// </summary>
    /// <exception cref="DocumentConflictException">Someone wrote the record since it was read.</exception>
    public async Task<RolloutRecord> WriteAsync(RolloutRecord next, RolloutRecord? read, CancellationToken cancellationToken = default)
    {
        var bytes = JsonSerializer.SerializeToUtf8Bytes(next with { ETag = null }, RolloutJsonContext.Default.RolloutRecord);
        var condition = read is null ? DocumentCondition.Absent : DocumentCondition.Matching(read.ETag ?? throw new ArgumentException("The record read carries no ETag.", nameof(read)));
        var etag = await Store.WriteDocumentAsync(next.Model, RolloutRecord.FileName, bytes, condition, cancellationToken);
        if (read is { IsActive: true } && !next.IsActive)
        {
            await DeleteFiguresAsync(next.Model, cancellationToken);
        }

        return next with { ETag = etag };
    }

    public Task WriteFiguresAsync(ReplicaFigures figures, CancellationToken cancellationToken = default) =>
        Store.WriteDocumentAsync(
            figures.Model, ReplicaFigures.PathOf(figures.Replica), JsonSerializer.SerializeToUtf8Bytes(figures, RolloutJsonContext.Default.ReplicaFigures), DocumentCondition.None, cancellationToken);

    /// <summary>
    /// Deletes every replica's figures file of the model: when a rollout ends (its history keeps the figures it was judged
    /// on) and before one starts. Replica names change with every deployment, so files left alone would pile up and be
    /// read on every judgement.
    /// </summary>
    public async Task DeleteFiguresAsync(string model, CancellationToken cancellationToken = default)
    {
        foreach (var path in await Store.ListDocumentsAsync(model, ReplicaFigures.Folder, cancellationToken))
        {
            await Store.DeleteDocumentAsync(model, path, cancellationToken);
        }
    }

    /// <summary>Every replica's figures for the record's current step, summed; an unreadable file is left out.</summary>
    public async Task<RolloutFigures> SumFiguresAsync(RolloutRecord record, CancellationToken cancellationToken = default)
    {
        var files = new List<ReplicaFigures>();
        foreach (var path in await Store.ListDocumentsAsync(record.Model, ReplicaFigures.Folder, cancellationToken))
        {
            var document = await Store.FindDocumentAsync(record.Model, path, cancellationToken);
            try
            {
                if (document is not null && JsonSerializer.Deserialize(document.Content, RolloutJsonContext.Default.ReplicaFigures) is { Versions: not null } figures)
                {
                    files.Add(figures);
                }
            }
            catch (JsonException)
            {
                // A torn or foreign file: that replica's figures are missing from this sum, and it rewrites them soon.
            }
        }

        return RolloutFigures.Sum(record, files);
    }

    /// <summary>
    /// One judgement: read the record and the figures, decide, and write the decision if it changes anything. When
    /// another replica wrote first, its record is returned and nothing is applied twice.
    /// </summary>
    public async Task<RolloutStepResult> StepAsync(string name, string by, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        var record = await ReadAsync(name, cancellationToken)
            ?? throw new ModelNotFoundException($"Model '{name}' has no rollout in {Store.Location}.");
        var figures = record.State == RolloutState.Running ? await SumFiguresAsync(record, cancellationToken) : RolloutFigures.Empty;
        var verdict = RolloutDecision.Decide(record, figures, now);
        var applied = false;
        if (verdict.Kind != RolloutVerdictKind.Wait)
        {
            try
            {
                record = await WriteAsync(RolloutTransitions.Apply(record, verdict, figures, by, now), record, cancellationToken);
                applied = true;
            }
            catch (DocumentConflictException)
            {
                record = await ReadAsync(name, cancellationToken) ?? record;
            }
        }

        record = await CompletePromotionAsync(record, by, cancellationToken);
        return new RolloutStepResult(record, verdict, figures, applied);
    }

    /// <summary>
    /// A promoted record whose alias has not moved yet: move the alias from stable to the candidate (conditional on
    /// the alias as read), then mark it moved. Safe to repeat by every replica: an alias moved by someone else in the
    /// meantime is left where it is.
    /// </summary>
    public async Task<RolloutRecord> CompletePromotionAsync(RolloutRecord record, string by, CancellationToken cancellationToken = default)
    {
        if (record.State != RolloutState.Promoted || record.AliasMoved)
        {
            return record;
        }

        var alias = await Store.FindAliasAsync(record.Model, record.Alias, cancellationToken);
        string reason;
        if (alias?.Version == record.Candidate)
        {
            reason = $"{record.Model}@{record.Alias} names {record.Candidate}";
        }
        else if (alias is null || alias.Version == record.Stable)
        {
            try
            {
                await Store.MoveAliasAsync(record.Model, record.Alias, record.Candidate, alias, cancellationToken: cancellationToken);
                reason = $"{record.Model}@{record.Alias} moved from {record.Stable} to {record.Candidate}";
            }
            catch (AliasConflictException)
            {
                // Another replica moved it a moment ago; the next pass sees where it points.
                return record;
            }
            catch (ModelNotFoundException ex)
            {
                reason = $"{record.Model}@{record.Alias} left at {alias?.Version ?? "nothing"}: {ex.Message}";
            }
        }
        else
        {
            reason = $"{record.Model}@{record.Alias} was moved to {alias.Version} by someone else; left alone";
        }

        try
        {
            return await WriteAsync(RolloutTransitions.AliasMoved(record, reason, by, DateTimeOffset.UtcNow), record, cancellationToken);
        }
        catch (DocumentConflictException)
        {
            return await ReadAsync(record.Model, cancellationToken) ?? record;
        }
    }
}

/// <summary>What one judgement saw and did: the record now, the verdict, the figures it rested on, and whether this caller wrote it.</summary>
public sealed record RolloutStepResult(RolloutRecord Record, RolloutVerdict Verdict, RolloutFigures Figures, bool Applied);
