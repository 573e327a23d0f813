using Microsoft.ML;
using Microsoft.ML.Data;
using MLPipeline.Training.Data;

namespace MLPipeline.Training.Featurization;

/// <summary>
/// Featurizes the rows once into an ML.NET binary file and lets a multi-pass trainer iterate over that file:
/// memory stays flat however many rows there are, and the CSV is parsed once instead of once per pass.
/// The file is deleted when the trainer is done. The fitted result is the same chain an in-memory cache gives.
/// </summary>
public sealed class DiskCachedEstimator(MLContext ml, IEstimator<ITransformer> featurizer, IEstimator<ITransformer> trainer, string folder) : IEstimator<ITransformer>
{
    public ITransformer Fit(IDataView input)
    {
        var features = featurizer.Fit(input);
        var path = Path.Combine(folder, $"mlpipeline-cache-{Guid.NewGuid():N}.idv");
        try
        {
            using (var file = File.Create(path))
            {
                BinaryRowsWriter.Write(ml, features.Transform(input), file);
            }

            var model = trainer.Fit(ml.Data.LoadFromBinary(path));
            return new TransformerChain<ITransformer>(features, model);
        }
        finally
        {
            File.Delete(path);
        }
    }

    public SchemaShape GetOutputSchema(SchemaShape inputSchema) => trainer.GetOutputSchema(featurizer.GetOutputSchema(inputSchema));
}
