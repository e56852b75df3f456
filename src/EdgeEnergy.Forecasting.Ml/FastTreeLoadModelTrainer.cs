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
        var data = ml.Data.LoadFromEnumerable(Rows(rows), SchemaFor(rows.FeatureCount));
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
        Check(ml, model, ensemble, rows);
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
    private static void Check(MLContext ml, RegressionPredictionTransformer<FastTreeRegressionModelParameters> model, TreeEnsemble ensemble, LoadTrainingSet rows)
    {
        var sample = Rows(rows).Where((_, i) => i % 97 == 0).ToList();
        var scored = model.Transform(ml.Data.LoadFromEnumerable(sample, SchemaFor(rows.FeatureCount)));
        var scores = ml.Data.CreateEnumerable<Scored>(scored, reuseRowObject: false).Select(s => s.Score).ToList();
        for (var i = 0; i < sample.Count; i++)
        {
            var ours = ensemble.Evaluate(sample[i].Features);
            if (Math.Abs(ours - scores[i]) > 1e-4 * Math.Max(1, Math.Abs(scores[i])))
            {
                throw new InvalidOperationException($"the copied trees predict {ours} where FastTree predicts {scores[i]}");
            }
        }
    }

    private static IEnumerable<Row> Rows(LoadTrainingSet rows)
    {
        var count = rows.FeatureCount;
        for (var i = 0; i < rows.Rows; i++)
        {
            yield return new Row { Features = rows.Features.Slice(i * count, count).ToArray(), Label = rows.Labels.Span[i] };
        }
    }

    private static SchemaDefinition SchemaFor(int featureCount)
    {
        var schema = SchemaDefinition.Create(typeof(Row));
        schema[nameof(Row.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, featureCount);
        return schema;
    }

    private sealed class Row
    {
        public float[] Features { get; set; } = [];

        public float Label { get; set; }
    }

    private sealed class Scored
    {
        public float Score { get; set; }
    }
}
