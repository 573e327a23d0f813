using System.IO.Compression;
using MLPipeline.Serving.Sources;

namespace MLPipeline.Serving.Options;

/// <summary>
/// The <c>Serving:Limits</c> bounds on a model file, checked before ML.NET sees its bytes: the download size, and the
/// uncompressed size and entry count of model.zip (a zip bomb is refused before anything inflates it).
/// </summary>
public sealed record ModelSizeLimits(long MaxModelBytes, long MaxUncompressedBytes)
{
    /// <summary>Entries in a model.zip; ML.NET's largest models hold a few hundred.</summary>
    public const int MaxEntries = 10_000;

    /// <exception cref="ModelSourceException">The model is larger than <see cref="MaxModelBytes"/>.</exception>
    public void CheckDownload(string location, long bytes)
    {
        if (bytes > MaxModelBytes)
        {
            throw new ModelSourceException($"{location}: the model file has {bytes} bytes, more than Serving:Limits:MaxModelBytes ({MaxModelBytes}); it is not downloaded.");
        }
    }

    /// <summary>Reads the zip's central directory only: the declared sizes are what an inflating reader is held to.</summary>
    /// <exception cref="ModelSourceException">Not a zip, too many entries, or more than <see cref="MaxUncompressedBytes"/> once inflated.</exception>
    public void CheckArchive(string location, byte[] bytes)
    {
        CheckDownload(location, bytes.LongLength);
        try
        {
            using var archive = new ZipArchive(new MemoryStream(bytes, writable: false), ZipArchiveMode.Read);
            if (archive.Entries.Count > MaxEntries)
            {
                throw new ModelSourceException($"{location}: the model archive has {archive.Entries.Count} entries, more than {MaxEntries}; it is not loaded.");
            }

            long total = 0;
            foreach (var entry in archive.Entries)
            {
                total += entry.Length;
                if (total > MaxUncompressedBytes)
                {
                    throw new ModelSourceException($"{location}: the model archive inflates to more than Serving:Limits:MaxModelUncompressedBytes ({MaxUncompressedBytes} bytes); it is not loaded.");
                }
            }
        }
        catch (InvalidDataException ex)
        {
            throw new ModelSourceException($"{location}: not a valid zip archive, so not an ML.NET model; check that the upload is complete.", ex);
        }
    }
}
