namespace EdgeEnergy.Control.Forecasting.LoadModel;

/// <summary>
/// One regression tree as plain arrays: internal node i sends a row left when feature <c>Feature[i]</c> ≤
/// <c>Threshold[i]</c>, else right; a child ≥ 0 is another internal node, a child &lt; 0 is the leaf <c>~child</c>.
/// A tree of one leaf has no internal nodes.
/// </summary>
public sealed record RegressionTreeArrays(
    IReadOnlyList<int> Left, IReadOnlyList<int> Right, IReadOnlyList<int> Feature, IReadOnlyList<float> Threshold,
    IReadOnlyList<double> Leaf, double Weight);

/// <summary>
/// A trained boosted tree ensemble, evaluated without the library that trained it: bias + Σ weight × leaf. Pure data,
/// so a model's forecasts are plain arithmetic on the thread that asks (no prediction engine, no shared state).
/// </summary>
public sealed class TreeEnsemble
{
    private readonly (int[] Left, int[] Right, int[] Feature, float[] Threshold, double[] Leaf, double Weight)[] _trees;

    public TreeEnsemble(double bias, IReadOnlyList<RegressionTreeArrays> trees, int featureCount)
    {
        ArgumentNullException.ThrowIfNull(trees);
        Bias = bias;
        FeatureCount = featureCount;
        _trees = [.. trees.Select(t => (t.Left.ToArray(), t.Right.ToArray(), t.Feature.ToArray(), t.Threshold.ToArray(), t.Leaf.ToArray(), t.Weight))];
        foreach (var t in _trees)
        {
            if (t.Leaf.Length == 0 || t.Left.Length != t.Right.Length || t.Left.Length != t.Feature.Length || t.Left.Length != t.Threshold.Length
                || t.Feature.Any(f => f < 0 || f >= featureCount)
                || t.Left.Concat(t.Right).Any(c => c >= t.Left.Length || (c < 0 && ~c >= t.Leaf.Length)))
            {
                throw new ArgumentException("a tree's arrays do not describe a tree over the features", nameof(trees));
            }
        }
    }

    public double Bias { get; }

    public int FeatureCount { get; }

    public int TreeCount => _trees.Length;

    /// <summary>The ensemble's output for one row of <see cref="FeatureCount"/> features.</summary>
    public double Evaluate(ReadOnlySpan<float> features)
    {
        var sum = Bias;
        foreach (var (left, right, feature, threshold, leaf, weight) in _trees)
        {
            if (left.Length == 0)
            {
                sum += weight * leaf[0];
                continue;
            }

            var node = 0;
            while (true)
            {
                var next = features[feature[node]] <= threshold[node] ? left[node] : right[node];
                if (next < 0)
                {
                    sum += weight * leaf[~next];
                    break;
                }

                node = next;
            }
        }

        return sum;
    }
}
