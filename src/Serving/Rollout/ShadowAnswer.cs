using MLPipeline.Serving.Dynamic;

namespace MLPipeline.Serving.Rollout;

/// <summary>What stable answered for a request copied to the candidate: each row's score, and its label for classification.</summary>
public sealed record ShadowAnswer(float[] Scores, string?[]? Labels)
{
    public static ShadowAnswer Of(BatchOutputs outputs)
    {
        var scores = new float[outputs.Rows];
        var labels = outputs.Task == Shared.Manifest.ModelTask.Regression ? null : new string?[outputs.Rows];
        for (var row = 0; row < outputs.Rows; row++)
        {
            scores[row] = (float)RolloutCollector.RowScore(outputs, row);
            if (labels is not null)
            {
                labels[row] = RolloutCollector.RowLabel(outputs, row);
            }
        }

        return new ShadowAnswer(scores, labels);
    }
}
