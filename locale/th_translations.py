"""Thai translations of the UI, kept as data and merged into locale/th/LC_MESSAGES/django.po.

Run `python locale/th_translations.py` after `make messages`; a test fails while any
message is left untranslated.
"""

import sys
from pathlib import Path

import polib

TH = {
    "Benefits": "สิทธิประโยชน์",
    "Contributions": "เงินสมทบ",
    "Walk-in queue": "ระบบคิว",
    "Registry": "ทะเบียน",
    "Office": "สำนักงาน",
    "Offices and staff": "สำนักงานและเจ้าหน้าที่",
    "Code or name": "รหัสหรือชื่อ",
    "Province code": "รหัสจังหวัด",
    "Enter the date as day/month/year, e.g. 26/11/2569 (B.E.) or 26/11/2026 (C.E.).": (
        "กรอกวันที่เป็น วัน/เดือน/ปี เช่น 26/11/2569 (พ.ศ.) หรือ 26/11/2026 (ค.ศ.)"
    ),
    "Write the year with 4 digits, e.g. 2569 (B.E.) or 2026 (C.E.).": (
        "กรอกปีเป็นตัวเลข 4 หลัก เช่น 2569 (พ.ศ.) หรือ 2026 (ค.ศ.)"
    ),
    "The year %(year)s is neither a B.E. nor a C.E. year we can accept.": "ปี %(year)s ไม่ใช่ปี พ.ศ. หรือ ค.ศ. ที่รับได้",
    "There is no such date.": "ไม่มีวันที่นี้ในปฏิทิน",
    "dd/mm/yyyy": "วว/ดด/ปปปป",
    "opened on": "วันที่เปิดทำการ",
    "Year in B.E. (2569) or C.E. (2026).": "ปี พ.ศ. (2569) หรือ ค.ศ. (2026) ก็ได้",
    "My office": "สำนักงานของฉัน",
    "Your office, its staff and roles.": "สำนักงานของคุณ เจ้าหน้าที่ และบทบาท",
    "All offices": "สำนักงานทั้งหมด",
    "Every SSO office.": "สำนักงานประกันสังคมทุกแห่ง",
    "Change history": "ประวัติการแก้ไข",
    "Who changed which record, when, and what.": "ใครแก้ไขข้อมูลใด เมื่อใด และแก้ไขอะไร",
    "API documentation": "เอกสาร API",
    "The REST API (OpenAPI).": "REST API (OpenAPI)",
    "Administration": "ผู้ดูแลระบบ",
    "Staff accounts and reference data.": "บัญชีเจ้าหน้าที่และข้อมูลอ้างอิง",
    "office": "สำนักงาน",
    "name (Thai)": "ชื่อ (ภาษาไทย)",
    "name (English)": "ชื่อ (ภาษาอังกฤษ)",
    "code": "รหัส",
    "province": "จังหวัด",
    "provinces": "จังหวัด",
    "Head office": "สำนักงานใหญ่",
    "Area office": "สำนักงานเขตพื้นที่",
    "Provincial office": "สำนักงานจังหวัด",
    "kind": "ประเภท",
    "address": "ที่อยู่",
    "phone": "โทรศัพท์",
    "active": "ใช้งาน",
    "offices": "สำนักงาน",
    "Can see the data of every office": "ดูข้อมูลของทุกสำนักงานได้",
    "Can see the change history of records": "ดูประวัติการแก้ไขข้อมูลได้",
    "staff user": "เจ้าหน้าที่",
    "staff users": "เจ้าหน้าที่",
    "Counter officer": "เจ้าหน้าที่เคาน์เตอร์",
    "Serves walk-in employers and insured persons at a counter.": "ให้บริการนายจ้างและผู้ประกันตนที่เคาน์เตอร์",
    "Back-office verifier": "เจ้าหน้าที่ตรวจสอบ (Back Office)",
    "Verifies recorded cases later, from work queues.": "ตรวจสอบเรื่องที่บันทึกแล้วจากคิวงาน",
    "Supervisor": "หัวหน้างาน",
    "Watches service times and the work of one office.": "ติดตามเวลาให้บริการและงานของสำนักงาน",
    "National supervisor": "ผู้บริหารส่วนกลาง",
    "Watches every office.": "ติดตามทุกสำนักงาน",
    "Administrator": "ผู้ดูแลระบบ",
    "Manages offices, staff accounts and reference data.": "จัดการสำนักงาน บัญชีเจ้าหน้าที่ และข้อมูลอ้างอิง",
    "Welcome, %(name)s": "ยินดีต้อนรับ %(name)s",
    "Your roles": "บทบาทของคุณ",
    "Your account has no role yet; ask your office administrator.": "บัญชีของคุณยังไม่มีบทบาท โปรดติดต่อผู้ดูแลระบบของสำนักงาน",
    "Kind": "ประเภท",
    "Province": "จังหวัด",
    "Address": "ที่อยู่",
    "Phone": "โทรศัพท์",
    "Opened on": "วันที่เปิดทำการ",
    "Status": "สถานะ",
    "closed": "ปิดทำการ",
    "Edit": "แก้ไข",
    "History": "ประวัติ",
    "Staff": "เจ้าหน้าที่",
    "User name": "ชื่อผู้ใช้",
    "Name": "ชื่อ",
    "Roles": "บทบาท",
    "No staff yet.": "ยังไม่มีเจ้าหน้าที่",
    "Edit office": "แก้ไขข้อมูลสำนักงาน",
    "Save": "บันทึก",
    "Cancel": "ยกเลิก",
    "Filter": "กรอง",
    "Code": "รหัส",
    "No office matches.": "ไม่พบสำนักงานที่ตรงเงื่อนไข",
    "When": "เมื่อ",
    "Who": "ผู้แก้ไข",
    "Record": "ข้อมูล",
    "What": "การกระทำ",
    "system": "ระบบ",
    "No recorded change.": "ไม่มีประวัติการแก้ไข",
    "Changes": "การเปลี่ยนแปลง",
    "created": "สร้าง",
    "changed": "แก้ไข",
    "deleted": "ลบ",
    "Stored as": "บันทึกเป็น",
    "C.E.": "ค.ศ.",
    "Your account belongs to no office.": "บัญชีของคุณไม่ได้สังกัดสำนักงานใด",
    "Office %(code)s saved.": "บันทึกข้อมูลสำนักงาน %(code)s แล้ว",
    "Thai": "ภาษาไทย",
    "English": "ภาษาอังกฤษ",
    "Not allowed": "ไม่มีสิทธิ์",
    "Your role does not allow this.": "บทบาทของคุณไม่มีสิทธิ์ทำรายการนี้",
    "Not found": "ไม่พบข้อมูล",
    "There is no such record, or it belongs to another office.": "ไม่มีข้อมูลนี้ หรือข้อมูลเป็นของสำนักงานอื่น",
    "SSO office system": "ระบบงานสำนักงานประกันสังคม",
    "Skip to content": "ข้ามไปยังเนื้อหา",
    "Social Security Office": "สำนักงานประกันสังคม",
    "Change password": "เปลี่ยนรหัสผ่าน",
    "Sign out": "ออกจากระบบ",
    "Menu": "เมนู",
    "Account locked": "บัญชีถูกระงับชั่วคราว",
    "Too many failed sign-in attempts. The account is locked for a while; try again later or ask your office "
    "administrator.": ("เข้าสู่ระบบไม่สำเร็จหลายครั้งเกินไป บัญชีถูกระงับชั่วคราว โปรดลองใหม่ภายหลังหรือติดต่อผู้ดูแลระบบของสำนักงาน"),
    "Back to sign in": "กลับไปหน้าเข้าสู่ระบบ",
    "Sign in": "เข้าสู่ระบบ",
    "Office system of the Social Security Office": "ระบบงานสำนักงานประกันสังคม",
    "Password": "รหัสผ่าน",
    "Password changed": "เปลี่ยนรหัสผ่านแล้ว",
    "Back to the menu": "กลับไปที่เมนู",
}


def merge(po_path: Path) -> list[str]:
    """Fill the Thai catalogue; returns the messages still without a translation."""
    catalogue = polib.pofile(str(po_path))
    catalogue.metadata["Language"] = "th"
    catalogue.metadata["Plural-Forms"] = "nplurals=1; plural=0;"
    catalogue.metadata["Content-Type"] = "text/plain; charset=UTF-8"
    for entry in catalogue:
        if entry.msgid in TH:
            entry.msgstr = TH[entry.msgid]
            if "fuzzy" in entry.flags:
                entry.flags.remove("fuzzy")
    catalogue.save()
    return [entry.msgid for entry in catalogue if not entry.msgstr and not entry.obsolete]


if __name__ == "__main__":
    missing = merge(Path(__file__).resolve().parent / "th" / "LC_MESSAGES" / "django.po")
    for msgid in missing:
        print(f"untranslated: {msgid!r}")
    sys.exit(1 if missing else 0)
