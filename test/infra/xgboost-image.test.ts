/**
 * The built-in XGBoost 1.7-1 image URI for every region AWS publishes it in, and a clear error
 * for a region it does not (resources/xgboost-image.cjs, which serverless.yml resolves at package time).
 */
import { join } from 'node:path';
import { projectRoot } from '@mlops/serverless-config';

const images = require(join(projectRoot(), 'resources/xgboost-image.cjs')) as {
  REGISTRIES: Record<string, string>;
  xgboostImageUri(region: string): string;
  uri(ctx: { resolveVariable(name: string): Promise<string> }): Promise<string>;
};

describe('built-in XGBoost image URI', () => {
  const regions = Object.keys(images.REGISTRIES);

  it('maps every region of AWS published table (37, ap-south-1 among them)', () => {
    expect(regions).toHaveLength(37);
    expect(regions).toEqual(expect.arrayContaining(['ap-south-1', 'us-east-1', 'eu-central-1', 'cn-north-1', 'us-gov-west-1']));
  });

  it.each(regions)('%s resolves to a sagemaker-xgboost:1.7-1 URI in its own region', (region) => {
    const uri = images.xgboostImageUri(region);
    expect(uri).toMatch(new RegExp(`^\\d{12}\\.dkr\\.ecr\\.${region}\\.[a-z0-9.]+/sagemaker-xgboost:1\\.7-1$`));
    expect(uri.startsWith(images.REGISTRIES[region]!)).toBe(true);
  });

  it('uses the partition DNS suffix (China is amazonaws.com.cn)', () => {
    expect(images.xgboostImageUri('cn-north-1')).toBe('450853457545.dkr.ecr.cn-north-1.amazonaws.com.cn/sagemaker-xgboost:1.7-1');
    expect(images.xgboostImageUri('ap-south-1')).toBe('720646828776.dkr.ecr.ap-south-1.amazonaws.com/sagemaker-xgboost:1.7-1');
  });

  it('names the region and the way out when the image is not published there', async () => {
    await expect(images.uri({ resolveVariable: async () => 'mars-west-1' })).rejects.toThrow(
      /not published in region 'mars-west-1'.*set the stage params trainingImage and inferenceImage/,
    );
  });
});
