export * from './print';
export * from './intrinsics';
export * from './names';
