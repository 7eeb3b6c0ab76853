// @middy/* publish only an "import" export; let jest's CommonJS resolver take it (swc then
// transforms the ESM). Other packages keep the default conditions.
module.exports = (request, options) =>
  options.defaultResolver(request, /^@middy\//.test(request) ? { ...options, conditions: ['import', 'default'] } : options);
