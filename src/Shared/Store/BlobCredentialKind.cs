namespace MLPipeline.Shared.Store;

/// <summary>Which credential a blob store uses: decides what an access failure tells the user to check.</summary>
public enum BlobCredentialKind
{
    /// <summary>A SAS token in the store URI.</summary>
    Sas,

    /// <summary>A connection string (<see cref="BlobStoreOptions.ConnectionStringVariable"/>).</summary>
    ConnectionString,

    /// <summary>An Entra ID token (DefaultAzureCredential: managed identity, az login, ...).</summary>
    TokenCredential,
}
