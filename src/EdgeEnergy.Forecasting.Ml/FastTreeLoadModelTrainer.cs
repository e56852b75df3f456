using EdgeEnergy.Control.Forecasting.LoadModel;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers.FastTree;

namespace EdgeEnergy.Forecasting.Ml;

/// <summary>
/// Trains the load model with ML.NET's FastTree (gradient-boosted regression trees), on one thread with a fixed seed,
/// so the same rows give the same trees on any machine; then copies the trees out as plain arrays
/// (<see cref="TreeEnsemble"/>) and checks, on a sample of the training rows, that the copy predicts what ML.NET
/// predicts. The copy, not ML.NET, makes the forecasts.
/// </summary>
public sealed class FastTreeLoadModelTrainer(LoadModelOptions? options = null) : ILoadModelTrainer
{
    private readonly LoadModelOptions _options = options ?? new LoadModelOptions();

    public string Name => $"FastTree ({_options.Trees} trees of {_options.Leaves} leaves)";

    public TreeEnsemble Train(LoadTrainingSet rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        if (rows.Rows < 2 * _options.MinimumRowsPerLeaf)
        {
            throw new ArgumentException($"{rows.Rows} training rows are too few for leaves of {_options.MinimumRowsPerLeaf}", nameof(rows));
        }

        var ml = new MLContext(seed: _options.Seed);
        var data = new TrainingSetDataView(rows);
        var trainer = ml.Regression.Trainers.FastTree(new FastTreeRegressionTrainer.Options
        {
            NumberOfThreads = 1,
            NumberOfTrees = _options.Trees,
            NumberOfLeaves = _options.Leaves,
            MinimumExampleCountPerLeaf = _options.MinimumRowsPerLeaf,
            LearningRate = _options.LearningRate,
            Seed = _options.Seed,
            FeatureColumnName = "Features",
            LabelColumnName = "Label",
        });
        var model = trainer.Fit(data);
        var ensemble = Copy(model.Model.TrainedTreeEnsemble, rows.FeatureCount);
        Check(model, ensemble, rows);
        return ensemble;
    }

    private static TreeEnsemble Copy(RegressionTreeEnsemble trained, int featureCount)
    {
        var trees = new List<RegressionTreeArrays>(trained.Trees.Count);
        for (var i = 0; i < trained.Trees.Count; i++)
        {
            var t = trained.Trees[i];
            if (t.CategoricalSplitFlags.Any(c => c))
            {
                throw new InvalidOperationException("FastTree made a categorical split; the load model's features are all numeric");
            }

            trees.Add(new RegressionTreeArrays(
                [.. t.LeftChild], [.. t.RightChild], [.. t.NumericalSplitFeatureIndexes], [.. t.NumericalSplitThresholds],
                [.. t.LeafValues], trained.TreeWeights[i]));
        }

        return new TreeEnsemble(trained.Bias, trees, featureCount);
    }

    /// <summary>The copied trees must predict what ML.NET predicts (float rounding apart) on every 97th training row.</summary>
    private static void Check(RegressionPredictionTransformer<FastTreeRegressionModelParameters> model, TreeEnsemble ensemble, LoadTrainingSet rows)
    {
        var count = rows.FeatureCount;
        var picked = Enumerable.Range(0, rows.Rows).Where(i => i % 97 == 0).ToArray();
        var features = picked.SelectMany(i => rows.Features.Slice(i * count, count).ToArray()).ToArray();
        var sample = new LoadTrainingSet(features, new float[picked.Length], count);
        var scored = model.Transform(new TrainingSetDataView(sample));
        var column = scored.Schema["Score"];
        using var cursor = scored.GetRowCursor([column]);
        var score = cursor.GetGetter<float>(column);
        var i = 0;
        float value = 0;
        while (cursor.MoveNext())
        {
            score(ref value);
            var ours = ensemble.Evaluate(features.AsSpan(i * count, count));
            if (Math.Abs(ours - value) > 1e-4 * Math.Max(1, Math.Abs(value)))
            {
                throw new InvalidOperationException($"the copied trees predict {ours} where FastTree predicts {value}");
            }

            i++;
        }

        if (i != picked.Length)
        {
            throw new InvalidOperationException($"FastTree scored {i} rows of {picked.Length}");
        }
    }
}
