using System.Net.Sockets;
using Azure;
using Azure.Identity;
using Azure.Storage.Blobs.Models;

namespace MLPipeline.Shared.Store;

/// <summary>
/// Turns what the Azure SDK throws (after its own retries) into a <see cref="ModelStoreException"/> that names the
/// store and says what to check. SDK messages are not passed on: they can quote request headers.
/// </summary>
public static class BlobFailures
{
    /// <summary>True for exceptions the SDK raises for a failing or refusing store.</summary>
    public static bool IsStoreFailure(Exception ex) =>
        ex is RequestFailedException or AuthenticationFailedException or AggregateException or HttpRequestException
            // A connection reset while the response is read reaches the caller as the socket's own error.
            or SocketException or IOException { InnerException: SocketException }
            // The SDK's per-request network timeout (not the caller's cancellation).
            or TaskCanceledException { InnerException: TimeoutException };

    public static ModelStoreException Translate(Exception ex, BlobStoreLocation location, BlobCredentialKind kind, string action)
    {
        var prefix = $"Model store {location.Display}: {action} failed";
        return Unwrap(ex) switch
        {
            AuthenticationFailedException =>
                new ModelStoreException($"{prefix}: no Entra ID token could be obtained. {WhatToCheck(kind, location)}", ex),
            RequestFailedException { Status: 403 } rf =>
                new ModelStoreException($"{prefix}: access refused (HTTP 403 {rf.ErrorCode}). {WhatToCheck(kind, location)}", ex),
            RequestFailedException { Status: 401 } rf =>
                new ModelStoreException($"{prefix}: not authenticated (HTTP 401 {rf.ErrorCode}). {WhatToCheck(kind, location)}", ex),
            RequestFailedException rf when rf.ErrorCode == BlobErrorCode.ContainerNotFound =>
                new ModelStoreException(
                    $"{prefix}: container '{location.Container}' does not exist in account '{location.AccountName}'. "
                    + $"Check the container name in the URI, or create it (az storage container create --account-name {location.AccountName} --name {location.Container}).",
                    ex),
            RequestFailedException { Status: 0 } =>
                Unreachable(prefix, location, ex),
            RequestFailedException rf =>
                new ModelStoreException($"{prefix}: HTTP {rf.Status} {rf.ErrorCode}. Check the store URI and that the account allows this operation.", ex),
            HttpRequestException or SocketException or IOException { InnerException: SocketException } or OperationCanceledException =>
                Unreachable(prefix, location, ex),
            var other => new ModelStoreException($"{prefix}: {other.GetType().Name}. Check the store URI and the network.", ex),
        };
    }

    /// <summary>The SDK reports exhausted retries as an AggregateException of the attempts: judge by the last one.</summary>
    private static Exception Unwrap(Exception ex) =>
        ex is AggregateException aggregate && aggregate.InnerExceptions.Count > 0 ? Unwrap(aggregate.InnerExceptions[^1]) : ex;

    private static ModelStoreException Unreachable(string prefix, BlobStoreLocation location, Exception ex) =>
        new($"{prefix}: the blob endpoint {location.ServiceUri.GetLeftPart(UriPartial.Authority)} did not answer (after retries). "
            + "Check the address and port, the network and firewall, and that the storage account (or Azurite) is running.", ex);

    private static string WhatToCheck(BlobCredentialKind kind, BlobStoreLocation location) => kind switch
    {
        BlobCredentialKind.Sas =>
            "Check the SAS token in the store URI: signed with the current account key, not expired, and with read, list (and write, add, create to publish) permissions on the container.",
        BlobCredentialKind.ConnectionString =>
            $"Check the account name and key in {BlobStoreOptions.ConnectionStringVariable} (a rotated or mistyped key is refused) for account '{location.AccountName}'.",
        _ =>
            $"Check that the identity (managed identity via AZURE_CLIENT_ID, or az login) holds 'Storage Blob Data Reader' (to read) or 'Storage Blob Data Contributor' (to publish and move aliases) on account '{location.AccountName}', or provide {BlobStoreOptions.ConnectionStringVariable} or a SAS in the URI.",
    };
}
