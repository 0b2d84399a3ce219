// Demo site tree: Thái Nguyên province and its nine district-level units (real names,
// before the 2025 reorganisation) with a subset of their communes (real names).
// Everything seeded from here is flagged demo so it can be told apart from real data.
import { siteCodeFrom } from './site-code';

export interface SeedSite {
  code: string;
  name: string;
  kind: 'tinh' | 'huyen' | 'thi_xa' | 'thanh_pho' | 'xa' | 'phuong' | 'thi_tran';
  parentCode: string | null;
  demo: true;
}

const districts: [string, string, SeedSite['kind'], string[]][] = [
  [
    'TPTN',
    'Thành phố Thái Nguyên',
    'thanh_pho',
    [
      'Phường Hoàng Văn Thụ',
      'Phường Trưng Vương',
      'Phường Phan Đình Phùng',
      'Phường Quang Trung',
      'Phường Tân Thịnh',
      'Phường Gia Sàng',
      'Phường Túc Duyên',
      'Phường Thịnh Đán',
      'Xã Quyết Thắng',
      'Xã Phúc Trìu',
      'Xã Phúc Xuân',
      'Xã Thịnh Đức',
    ],
  ],
  [
    'SC',
    'Thành phố Sông Công',
    'thanh_pho',
    [
      'Phường Thắng Lợi',
      'Phường Mỏ Chè',
      'Phường Phố Cò',
      'Phường Cải Đan',
      'Phường Lương Sơn',
      'Phường Bách Quang',
      'Xã Bình Sơn',
      'Xã Bá Xuyên',
      'Xã Tân Quang',
    ],
  ],
  [
    'PY',
    'Thành phố Phổ Yên',
    'thanh_pho',
    [
      'Phường Ba Hàng',
      'Phường Bãi Bông',
      'Phường Đồng Tiến',
      'Phường Hồng Tiến',
      'Phường Bắc Sơn',
      'Xã Minh Đức',
      'Xã Phúc Thuận',
      'Xã Thành Công',
      'Xã Vạn Phái',
    ],
  ],
  [
    'DH',
    'Huyện Định Hóa',
    'huyen',
    [
      'Thị trấn Chợ Chu',
      'Xã Bảo Cường',
      'Xã Bình Yên',
      'Xã Điềm Mặc',
      'Xã Định Biên',
      'Xã Kim Phượng',
      'Xã Phú Đình',
      'Xã Phượng Tiến',
      'Xã Sơn Phú',
      'Xã Trung Hội',
      'Xã Tân Dương',
    ],
  ],
  [
    'DT',
    'Huyện Đại Từ',
    'huyen',
    [
      'Thị trấn Hùng Sơn',
      'Thị trấn Quân Chu',
      'Xã Cù Vân',
      'Xã Hà Thượng',
      'Xã La Bằng',
      'Xã Hoàng Nông',
      'Xã Phú Xuyên',
      'Xã Bản Ngoại',
      'Xã Tân Thái',
      'Xã Yên Lãng',
      'Xã Phục Linh',
    ],
  ],
  [
    'PL',
    'Huyện Phú Lương',
    'huyen',
    [
      'Thị trấn Đu',
      'Thị trấn Giang Tiên',
      'Xã Yên Ninh',
      'Xã Yên Trạch',
      'Xã Yên Đổ',
      'Xã Động Đạt',
      'Xã Phủ Lý',
      'Xã Ôn Lương',
      'Xã Tức Tranh',
      'Xã Vô Tranh',
      'Xã Sơn Cẩm',
      'Xã Cổ Lũng',
    ],
  ],
  [
    'DHY',
    'Huyện Đồng Hỷ',
    'huyen',
    [
      'Thị trấn Trại Cau',
      'Thị trấn Sông Cầu',
      'Xã Hòa Bình',
      'Xã Văn Lăng',
      'Xã Tân Long',
      'Xã Khe Mo',
      'Xã Hóa Thượng',
      'Xã Hóa Trung',
      'Xã Nam Hòa',
      'Xã Minh Lập',
      'Xã Quang Sơn',
    ],
  ],
  [
    'VN',
    'Huyện Võ Nhai',
    'huyen',
    [
      'Thị trấn Đình Cả',
      'Xã Thượng Nung',
      'Xã Nghinh Tường',
      'Xã Sảng Mộc',
      'Xã Thần Sa',
      'Xã Vũ Chấn',
      'Xã La Hiên',
      'Xã Lâu Thượng',
      'Xã Phú Thượng',
      'Xã Cúc Đường',
      'Xã Dân Tiến',
      'Xã Bình Long',
    ],
  ],
  [
    'PB',
    'Huyện Phú Bình',
    'huyen',
    [
      'Thị trấn Hương Sơn',
      'Xã Bàn Đạt',
      'Xã Bảo Lý',
      'Xã Đào Xá',
      'Xã Điềm Thụy',
      'Xã Kha Sơn',
      'Xã Lương Phú',
      'Xã Nga My',
      'Xã Tân Đức',
      'Xã Tân Khánh',
      'Xã Thượng Đình',
      'Xã Úc Kỳ',
      'Xã Xuân Phương',
    ],
  ],
];

const communeKind = (name: string): SeedSite['kind'] =>
  name.startsWith('Phường') ? 'phuong' : name.startsWith('Thị trấn') ? 'thi_tran' : 'xa';

export const PROVINCE_CODE = 'TN';

export function thaiNguyenSeed(): SeedSite[] {
  const out: SeedSite[] = [{ code: PROVINCE_CODE, name: 'Tỉnh Thái Nguyên', kind: 'tinh', parentCode: null, demo: true }];
  for (const [short, name, kind, communes] of districts) {
    const code = `${PROVINCE_CODE}-${short}`;
    out.push({ code, name, kind, parentCode: PROVINCE_CODE, demo: true });
    for (const c of communes) out.push({ code: `${code}-${siteCodeFrom(c)}`, name: c, kind: communeKind(c), parentCode: code, demo: true });
  }
  return out;
}
