/** Builders for the `Summary.Value`s TensorBoard's scalar, text, histogram, image and hparams plugins read. */
import { create, toBinary } from '@bufbuild/protobuf';
import { ValueSchema, type Value } from '@bufbuild/protobuf/wkt';
import { DataClass, type Summary_Value, Summary_ValueSchema } from '../proto/tensorboard/summary_pb.js';
import { TensorProtoSchema } from '../proto/tensorboard/tensor_pb.js';
import { DataType } from '../proto/tensorboard/types_pb.js';
import {
  DataType as HParamType,
  ExperimentSchema,
  HParamInfoSchema,
  MetricInfoSchema,
  Status,
} from '../proto/tensorboard/hparams/api_pb.js';
import { HParamsPluginDataSchema, type HParamsPluginData } from '../proto/tensorboard/hparams/plugin_data_pb.js';
import { computeHistogram } from './histogram.js';
import { encodePng, type DeflateFunction, type RawImage } from './png.js';

/** Tags the hparams plugin looks for (TensorBoard's `hparams/metadata.py`). */
export const HPARAMS_TAGS = {
  experiment: '_hparams_/experiment',
  sessionStartInfo: '_hparams_/session_start_info',
  sessionEndInfo: '_hparams_/session_end_info',
} as const;

/** A scalar (`simple_value`; TensorBoard migrates it to the scalars plugin). */
export function scalarValue(tag: string, value: number): Summary_Value {
  return create(Summary_ValueSchema, { tag, value: { case: 'simpleValue', value } });
}

/** A text summary: a scalar DT_STRING tensor tagged for the "text" plugin (Markdown is rendered). */
export function textValue(tag: string, text: string): Summary_Value {
  return create(Summary_ValueSchema, {
    tag,
    metadata: { pluginData: { pluginName: 'text' }, dataClass: DataClass.TENSOR },
    value: {
      case: 'tensor',
      value: create(TensorProtoSchema, { dtype: DataType.DT_STRING, tensorShape: {}, stringVal: [new TextEncoder().encode(text)] }),
    },
  });
}

/** A histogram of `values` with TensorFlow's default buckets. */
export function histogramValue(tag: string, values: ArrayLike<number>): Summary_Value {
  return create(Summary_ValueSchema, { tag, value: { case: 'histo', value: computeHistogram(values) } });
}

/** A PNG image summary. */
export function imageValue(tag: string, image: RawImage, deflate: DeflateFunction): Summary_Value {
  return create(Summary_ValueSchema, {
    tag,
    value: {
      case: 'image',
      value: { width: image.width, height: image.height, colorspace: image.channels, encodedImageString: encodePng(image, deflate) },
    },
  });
}

function hparamsValue(tag: string, data: HParamsPluginData): Summary_Value {
  return create(Summary_ValueSchema, {
    tag,
    metadata: { pluginData: { pluginName: 'hparams', content: toBinary(HParamsPluginDataSchema, data) }, dataClass: DataClass.TENSOR },
    // TensorBoard stores hparams summaries as tensors; the payload is all in the metadata (its NULL_TENSOR).
    value: { case: 'tensor', value: create(TensorProtoSchema, { dtype: DataType.DT_FLOAT, tensorShape: {}, floatVal: [0] }) },
  });
}

function protoValue(v: string | number | boolean): Value {
  if (typeof v === 'number') return create(ValueSchema, { kind: { case: 'numberValue', value: v } });
  if (typeof v === 'boolean') return create(ValueSchema, { kind: { case: 'boolValue', value: v } });
  return create(ValueSchema, { kind: { case: 'stringValue', value: v } });
}

/** `session_start_info`: this run's hyperparameter values. */
export function sessionStartValue(hparams: Record<string, string | number | boolean>, startTimeSecs: number): Summary_Value {
  const values = Object.fromEntries(Object.entries(hparams).map(([k, v]) => [k, protoValue(v)]));
  return hparamsValue(
    HPARAMS_TAGS.sessionStartInfo,
    create(HParamsPluginDataSchema, { data: { case: 'sessionStartInfo', value: { hparams: values, startTimeSecs } } }),
  );
}

/** `experiment`: which hyperparameters (with types) and which scalar tags the hparams dashboard shows. */
export function experimentValue(
  hparams: Record<string, string | number | boolean>,
  metricTags: readonly string[],
  timeCreatedSecs: number,
): Summary_Value {
  const typeOf = (v: string | number | boolean): HParamType =>
    typeof v === 'number' ? HParamType.FLOAT64 : typeof v === 'boolean' ? HParamType.BOOL : HParamType.STRING;
  const experiment = create(ExperimentSchema, {
    timeCreatedSecs,
    hparamInfos: Object.entries(hparams).map(([name, v]) => create(HParamInfoSchema, { name, type: typeOf(v) })),
    metricInfos: metricTags.map((tag) => create(MetricInfoSchema, { name: { group: '', tag } })),
  });
  return hparamsValue(HPARAMS_TAGS.experiment, create(HParamsPluginDataSchema, { data: { case: 'experiment', value: experiment } }));
}

/** `session_end_info`: how the run ended. */
export function sessionEndValue(status: 'success' | 'failed' | 'interrupted', endTimeSecs: number): Summary_Value {
  const code = status === 'success' ? Status.SUCCESS : status === 'failed' ? Status.FAILURE : Status.UNKNOWN;
  return hparamsValue(
    HPARAMS_TAGS.sessionEndInfo,
    create(HParamsPluginDataSchema, { data: { case: 'sessionEndInfo', value: { status: code, endTimeSecs } } }),
  );
}
