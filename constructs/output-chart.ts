import { Chart } from 'cdk8s';
import { Construct } from 'constructs';

export interface OutputChartProps {
  /** Folder, relative to the output folder, that receives this chart's Kubernetes objects (one file each). */
  readonly folder: string;

  /**
   * Write a `kustomization.yaml` listing the objects. Leave it out only for a folder that other tools
   * add files to, such as a Flux bootstrap path, since kustomize then reads only the listed files.
   * @default true
   */
  readonly kustomization?: boolean;

  /**
   * The inventory file the chart is rendered from, named in the header of each file.
   * @default - none: the chart is rendered from the whole inventory
   */
  readonly source?: string;
}

const OUTPUT_CHART = Symbol.for('weave-mesh.OutputChart');

/** A chart that knows where its objects are written: the renderer writes every OutputChart of the tree. */
export class OutputChart extends Chart {
  /**
   * Whether `x` is an OutputChart. Use this, not `instanceof`: cdk8s's Chart overrides
   * `Symbol.hasInstance`, so `instanceof` any Chart subclass is true for every chart.
   */
  public static isOutputChart(x: unknown): x is OutputChart {
    return typeof x === 'object' && x !== null && OUTPUT_CHART in x;
  }

  public readonly folder: string;
  public readonly kustomization: boolean;
  public readonly source?: string;

  public constructor(scope: Construct, id: string, props: OutputChartProps) {
    super(scope, id, { disableResourceNameHashes: true });
    this.folder = props.folder;
    this.kustomization = props.kustomization ?? true;
    this.source = props.source;
    Object.defineProperty(this, OUTPUT_CHART, { value: true });
  }
}
