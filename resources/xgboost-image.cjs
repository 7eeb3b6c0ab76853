// The image URI of SageMaker's built-in XGBoost algorithm, version 1.7-1, for the stage's region.
// serverless.yml reads it through `${file(./resources/xgboost-image.cjs):uri}`, so an unmapped region
// stops `sls package`/`deploy` with a sentence that names the region, instead of "Cannot resolve
// variable". The registry accounts are AWS's (SageMaker's "Docker Registry Paths" per region, the same
// table the SageMaker Python SDK ships in image_uri_config/xgboost.json).
const VERSION = '1.7-1';

const REGISTRIES = {
  'af-south-1': '510948584623',
  'ap-east-1': '651117190479',
  'ap-northeast-1': '354813040037',
  'ap-northeast-2': '366743142698',
  'ap-northeast-3': '867004704886',
  'ap-south-1': '720646828776',
  'ap-south-2': '628508329040',
  'ap-southeast-1': '121021644041',
  'ap-southeast-2': '783357654285',
  'ap-southeast-3': '951798379941',
  'ap-southeast-4': '106583098589',
  'ca-central-1': '341280168497',
  'ca-west-1': '190319476487',
  'cn-north-1': '450853457545',
  'cn-northwest-1': '451049120500',
  'eu-central-1': '492215442770',
  'eu-central-2': '680994064768',
  'eu-north-1': '662702820516',
  'eu-south-1': '978288397137',
  'eu-south-2': '104374241257',
  'eu-west-1': '141502667606',
  'eu-west-2': '764974769150',
  'eu-west-3': '659782779980',
  'il-central-1': '898809789911',
  'me-central-1': '272398656194',
  'me-south-1': '801668240914',
  'sa-east-1': '737474898029',
  'us-east-1': '683313688378',
  'us-east-2': '257758044811',
  'us-gov-east-1': '237065988967',
  'us-gov-west-1': '414596584902',
  'us-iso-east-1': '833128469047',
  'us-isob-east-1': '281123927165',
  'us-isof-east-1': '108575199400',
  'us-isof-south-1': '124985052026',
  'us-west-1': '746614075791',
  'us-west-2': '246618743249',
};

/** ECR's DNS suffix per partition (the aws-cn and isolated partitions are not amazonaws.com). */
function dnsSuffix(region) {
  if (region.startsWith('cn-')) return 'amazonaws.com.cn';
  if (region.startsWith('us-isob-')) return 'sc2s.sgov.gov';
  if (region.startsWith('us-isof-')) return 'csp.hci.ic.gov';
  if (region.startsWith('us-iso-')) return 'c2s.ic.gov';
  return 'amazonaws.com';
}

function xgboostImageUri(region) {
  const account = REGISTRIES[region];
  if (!account) {
    throw new Error(
      `SageMaker's built-in XGBoost ${VERSION} image is not published in region '${region}' (regions with it: ${Object.keys(REGISTRIES).join(', ')}). ` +
        'Deploy to one of those regions, or set the stage params trainingImage and inferenceImage to an image of your own in that region.',
    );
  }
  return `${account}.dkr.ecr.${region}.${dnsSuffix(region)}/sagemaker-xgboost:${VERSION}`;
}

module.exports = {
  VERSION,
  REGISTRIES,
  xgboostImageUri,
  // The serverless variable resolver calls this with the framework's own resolveVariable.
  uri: async ({ resolveVariable }) => xgboostImageUri(await resolveVariable('self:provider.region')),
};
