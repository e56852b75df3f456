using EdgeEnergy.Control.Forecasting.LoadModel;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace EdgeEnergy.Forecasting.Ml;

/// <summary>
/// A <see cref="LoadTrainingSet"/> as an ML.NET <see cref="IDataView"/> (columns <c>Features</c>, a float vector, and
/// <c>Label</c>), written by hand rather than through <c>LoadFromEnumerable</c>: that one builds its column getters
/// with Reflection.Emit, and under qemu-aarch64 (the Pi build's test bed) a getter so built failed with an exception
/// no handler could catch, which ended the process. These getters are plain delegates.
/// </summary>
internal sealed class TrainingSetDataView : IDataView
{
    private readonly LoadTrainingSet _rows;

    public TrainingSetDataView(LoadTrainingSet rows)
    {
        _rows = rows;
        var schema = new DataViewSchema.Builder();
        schema.AddColumn("Features", new VectorDataViewType(NumberDataViewType.Single, rows.FeatureCount));
        schema.AddColumn("Label", NumberDataViewType.Single);
        Schema = schema.ToSchema();
    }

    public bool CanShuffle => false;

    public DataViewSchema Schema { get; }

    public long? GetRowCount() => _rows.Rows;

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null) =>
        new Cursor(this, columnsNeeded.Select(c => c.Index).ToHashSet());

    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null) =>
        [GetRowCursor(columnsNeeded, rand)];

    private sealed class Cursor(TrainingSetDataView parent, HashSet<int> active) : DataViewRowCursor
    {
        private long _position = -1;

        public override long Position => _position;

        public override long Batch => 0;

        public override DataViewSchema Schema => parent.Schema;

        public override bool MoveNext()
        {
            if (_position + 1 < parent._rows.Rows)
            {
                _position++;
                return true;
            }

            _position = parent._rows.Rows;
            return false;
        }

        public override ValueGetter<DataViewRowId> GetIdGetter() => (ref DataViewRowId id) => id = new DataViewRowId((ulong)_position, 0);

        public override bool IsColumnActive(DataViewSchema.Column column) => active.Contains(column.Index);

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
        {
            var rows = parent._rows;
            var count = rows.FeatureCount;
            Delegate getter = column.Index switch
            {
                0 => (ValueGetter<VBuffer<float>>)((ref VBuffer<float> value) =>
                {
                    var editor = VBufferEditor.Create(ref value, count);
                    rows.Features.Span.Slice((int)_position * count, count).CopyTo(editor.Values);
                    value = editor.Commit();
                }),
                1 => (ValueGetter<float>)((ref float value) => value = rows.Labels.Span[(int)_position]),
                _ => throw new ArgumentOutOfRangeException(nameof(column), column.Name, "no such column"),
            };
            return (ValueGetter<TValue>)getter;
        }
    }
}
