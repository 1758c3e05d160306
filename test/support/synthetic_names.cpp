#include <deltran/testsupport/synthetic_names.hpp>

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <map>
#include <set>
#include <sstream>
#include <string_view>
#include <unordered_map>
#include <unordered_set>

#include <deltran/compliance/normalize.hpp>
#include <deltran/core/assert.hpp>

namespace deltran::testsupport::synthetic {

using namespace deltran::compliance;
namespace {

std::vector<std::string> words(std::string_view text) {
  std::vector<std::string> out;
  std::istringstream in{std::string(text)};
  std::string w;
  while (in >> w) out.push_back(w);
  return out;
}

struct Pools {
  // Arabic
  std::vector<std::string> ar_given = words(
      "Mohammed Ahmed Ali Omar Hassan Hussein Abdullah Khalid Youssef Ibrahim Mahmoud Mustafa "
      "Saeed Tariq Faisal Nasser Hamza Bilal Karim Samir Adel Walid Jamal Rashid Salem Sami Ziad "
      "Fadi Majid Nabil Anwar Bashir Hamid Jaber Kamal Marwan Munir Qasim Rami Sabri Talal Wael "
      "Yasser Zaki Anas Ayman Badr Bassam Emad Fahd Ghassan Hakim Haitham Imad Issa Jawad Luay "
      "Maher Mazen Murad Nader Osama Raed Riyad Sultan Suleiman Tamer Yahya Zayed Abdulaziz "
      "Abdulrahman Abdelkader Abdulkarim Abdulhamid Abdulmajid Abdelfattah Abdulwahab Mansour "
      "Hisham Jihad Khalil Lutfi Mundhir Nizar Qais Rafiq Shakir Taha Usama Waleed Yazid Zuhair");
  std::vector<std::string> ar_stems = words(
      "Rashid Hashim Qahtan Otaib Harb Dosar Shammar Mutair Ghamd Zahran Masr Baghdad Tikrit "
      "Hadram Shaer Khatib Najjar Haddad Sabbagh Attar Jazair Tunis Halab Amr Tamim Anaz Juhain "
      "Malik Hanbal Shafi Hakim Jabr Asad Nimr Saqr Majid Sabah Thani Nahyan Maktoum Qasim Zubair "
      "Ansar Husain Faraj Farhan Mansour Nasr Salam Shams Tahir Wahab Zain Badr Bayat Dulaim "
      "Jubur Ubaid Azzam Banna Bitar Darwish Fakhour Ghanem Hamad Jaafar Karam Laham Madan Nabuls "
      "Quds Rifa Sadr Kubays Fahdaw Shahwan Jarrah Kuwar Marzouq Dabbagh Hilal Jundub Khazraj "
      "Awad Baraz Dahm Faqih Ghazal Hajr Jaziri Karbal Mawsil Nuaim Qurash Rawdan Sharif Tabuk "
      "Wadi Yaqub Zahr Bakkar Dawood Falah Ghaith Hamdan Idris Jalal Kanaan Labban Mahdi Nabhan "
      "Qadir Rabia Sayegh Tawil Uthman Wazir Yamani Zaid Bakri Dhaher Farsi Ghoul Hasawi Jamil");
  std::vector<std::string> ar_suffix = words("i i i i - - awi ani");
  // Persian
  std::vector<std::string> fa_given = words(
      "Mohammad Ali Reza Hossein Mehdi Hamid Majid Saeed Hassan Javad Morteza Mostafa Abbas Amir "
      "Behrouz Dariush Farhad Kamran Kourosh Mahmoud Masoud Mohsen Nader Parviz Ramin Shahram "
      "Siamak Vahid Yousef Babak Arash Payam Omid Hadi Ehsan Iraj Jamshid Fereydoun Ghasem "
      "Gholamreza Hamidreza Alireza Mohammadreza Esmaeil Rasoul Bijan Fatemeh Maryam Zahra "
      "Shirin Leila Azadeh Parisa Hamed Kaveh Sina Pouya Navid Saman Afshin");
  std::vector<std::string> fa_stems = words(
      "Ahmad Hossein Reza Morad Karim Jafar Ghorban Rahim Mohammad Kazem Hashem Sadegh Bagher "
      "Alav Shiraz Tehran Esfahan Tabriz Kerman Yazd Rostam Saleh Nader Zaman Amin Soltan Najaf "
      "Akbar Abbas Nour Heidar Mousa Ghasem Safa Aziz Firouz Golestan Behzad Farahan Khorasan "
      "Mashhad Ardakan Danesh Kashan Jalal Bahram Vaez Mirza Dehghan Ansar Sharif Khalil Mahdav "
      "Asgar Fallah Ebrahim Baba Taher Hamadan Qazvin Zanjan Sabzevar Rafsanjan Larijan Khamen "
      "Ghaffar Montazer Pahlav Nouriz Sarraf Tavakol Vakil Yaghoub Zand Mokhtar Shokr Eslam");
  std::vector<std::string> fa_suffix = words("i i zadeh pour nejad ian far - i");
  // Slavic
  std::vector<std::string> ru_given = words(
      "Aleksandr Sergey Dmitry Andrey Alexey Vladimir Ivan Mikhail Nikolay Yevgeny Oleg Igor Pavel "
      "Viktor Yuri Konstantin Roman Maxim Denis Anton Artem Boris Vadim Gennady Grigory Kirill "
      "Leonid Stanislav Timur Vitaly Vyacheslav Arkady Fyodor Ruslan Valery Anatoly Yaroslav "
      "Bogdan Taras Petr Semyon Gleb Lev Rostislav Vsevolod Zakhar Matvey Nikita Ilya Egor");
  std::vector<std::string> ru_given_f = words(
      "Olga Elena Tatiana Natalia Irina Svetlana Anna Maria Yulia Ekaterina Marina Galina "
      "Lyudmila Oksana Vera Larisa Nadezhda Valentina Zoya Polina");
  std::vector<std::string> ru_stems = words(
      "Ivan Petr Smirn Kuznets Pop Sokol Lebed Kozl Novik Moroz Volk Zaits Pavl Semen Golub "
      "Vinograd Bogdan Vorob Fedor Mikhail Belyak Taras Bondar Koval Shevch Kravch Tkach Kolesnik "
      "Rudn Orl Medved Karp Gus Tit Kuzm Kudryavts Baran Kulik Alekse Stepan Yakovl Sorok Serge "
      "Roman Zakhar Boris Korol Gerasim Ponomar Grigor Lazar Zhuk Frol Zhdan Grom Shub Kalashnik "
      "Danil Chern Kryl Nikit Osip Rybak Savel Tikhon Ustin Filat Khrom Tsvetk Chugun Shcherbak "
      "Yerem Abram Byk Denis Yegor Kisel Makar Andre Komar Bel Vlas Prokhor Rogoz Seliverst "
      "Trofim Ulyan Fomin Kharit Tsyb Shirok Yurch Agap Bazhen Vasil Gavril Dorofe Yefim Zhilin");
  std::vector<std::string> ru_suffix = words("ov ov ev in sky enko uk ovsky");
  // Chinese and Korean
  std::vector<std::string> zh_family = words(
      "Wang Li Zhang Liu Chen Yang Huang Zhao Wu Zhou Xu Sun Ma Zhu Hu Guo He Lin Gao Luo Zheng "
      "Liang Xie Song Tang Han Feng Deng Cao Peng Zeng Xiao Tian Dong Pan Yuan Cai Jiang Yu Du Ye "
      "Cheng Wei Su Lu Ding Ren Shen Yao Jin Fu Zhong Qian Tan Kong Bai Mao Qiu Xiong Hao");
  std::vector<std::string> zh_syll = words(
      "wei fang na min jing li qiang lei jun yang yong yan jie tao ming chao xiu xia hui hua ping "
      "gang hong xin bin bo peng long jian feng hai yu zhi qing dong guo wen xiao lan mei yun lin "
      "hao kai rui shan song tian xue yi zhen zhong cheng de fei guang heng jia kang liang ning "
      "quan sheng shu wu xiang yao ying yuan ze zhao an chun fu ke le qiu ru shi ting xuan jiao "
      "ling miao nan pei qin rong sen tong xi yue zhan zhu");
  std::vector<std::string> ko_family = words(
      "Kim Lee Park Choi Jung Kang Cho Yoon Jang Lim Han Oh Seo Shin Kwon Hwang Ahn Song Ryu Hong "
      "Ri Pak Ko Mun Yang Son Bae Baek Heo Nam");
  std::vector<std::string> ko_syll = words(
      "jong un il song chol myong hyon kwang yong su chun ho jin min sung hyun woo jae young seok "
      "dong hee ju kyung nam sang tae ki hak chang mun gil chan hwan in jun kyu pyo");
  // Spanish
  std::vector<std::string> es_given = words(
      "José Juan Luis Carlos Jorge Miguel Pedro Jesús Manuel Francisco Antonio Alejandro Fernando "
      "Ricardo Roberto Eduardo Rafael Javier Sergio Raúl Ramón Héctor Óscar Andrés Diego Gustavo "
      "Mario Víctor Alberto Arturo Enrique Guillermo Hugo Ignacio Julio Marco Nicolás Pablo "
      "Rodrigo Salvador Tomás Vicente Joaquín Emilio Gerardo María Ana Carmen Rosa Lucía Isabel "
      "Elena Patricia Laura Sofía Adriana Beatriz Gabriela Leticia");
  std::vector<std::string> es_family = words(
      "García Rodríguez Martínez López González Hernández Pérez Sánchez Ramírez Torres Flores "
      "Rivera Gómez Díaz Reyes Morales Cruz Ortiz Gutiérrez Chávez Ramos Ruiz Mendoza Álvarez "
      "Castillo Jiménez Moreno Romero Herrera Medina Aguilar Vargas Guzmán Muñoz Castro Ortega "
      "Rubio Molina Delgado Suárez Blanco Navarro Domínguez Vega Ríos Salazar Cabrera Campos "
      "Fuentes Carrillo Contreras Espinoza Figueroa Guerrero Ibarra Juárez Lara Luna Mejía Miranda "
      "Núñez Ochoa Pacheco Peña Quintero Rosales Sandoval Serrano Soto Trujillo Valdez Valencia "
      "Velázquez Zamora Arellano Beltrán Cárdenas Cervantes Córdoba Escobar Esquivel Galindo Garza "
      "Guevara Izquierdo Lozano Maldonado Marín Montoya Orozco Padilla Palacios Pineda Quiroga "
      "Robles Salinas Santana Tapia Urrutia Villanueva Zapata Acosta Bermúdez Caballero Duarte "
      "Echeverría Fajardo Gallardo Hidalgo Jaramillo Leyva Mondragón Narváez Olivares Paredes "
      "Rangel Saavedra Tovar Uribe Villalobos Yáñez Zúñiga Avendaño Barrientos Cisneros Benítez");
  // English
  std::vector<std::string> en_given = words(
      "James John Robert Michael William David Richard Joseph Thomas Charles Christopher Daniel "
      "Matthew Anthony Mark Donald Steven Paul Andrew Joshua Kenneth Kevin Brian George Timothy "
      "Ronald Edward Jason Jeffrey Ryan Jacob Gary Nicholas Eric Jonathan Stephen Larry Justin "
      "Scott Brandon Benjamin Samuel Gregory Alexander Frank Patrick Raymond Jack Dennis Jerry "
      "Mary Patricia Jennifer Linda Elizabeth Barbara Susan Jessica Sarah Karen Nancy Lisa Betty "
      "Margaret Sandra Ashley Kimberly Emily Donna Michelle Carol Amanda Melissa Deborah");
  std::vector<std::string> en_family = words(
      "Smith Johnson Williams Brown Jones Miller Davis Wilson Anderson Taylor Thomas Moore Jackson "
      "Martin Lee Thompson White Harris Clark Lewis Robinson Walker Young Allen King Wright Scott "
      "Hill Green Adams Baker Nelson Carter Mitchell Roberts Turner Phillips Campbell Parker Evans "
      "Edwards Collins Stewart Morris Murphy Cook Rogers Morgan Peterson Cooper Reed Bailey Bell "
      "Kelly Howard Ward Cox Richardson Wood Watson Brooks Bennett Gray James Hughes Price Sanders "
      "Myers Long Ross Foster Powell Jenkins Perry Russell Sullivan Fisher Henderson Coleman "
      "Simmons Patterson Jordan Reynolds Hamilton Graham Wallace Woods Cole West Owens Marshall "
      "Ellis Harrison Gibson McDonald Kennedy Wells Alvarez Stone Hawkins Dunn Perkins Hudson "
      "Spencer Gardner Stephens Payne Pierce Berry Matthews Arnold Wagner Willis Ray Watkins Olson "
      "Carroll Duncan Snyder Hart Cunningham Bradley Lane Andrews Harper Fox Riley Armstrong "
      "Carpenter Weaver Greene Lawrence Elliott Chavez Sims Austin Peters Kelley Franklin Lawson "
      "Fields Ryan Schmidt Carr Castillo Wheeler Chapman Oliver Montgomery Richards Williamson "
      "Johnston Banks Meyer Bishop McCoy Howell Morrison Hansen Harvey Little Burton Stanley "
      "Nguyen George Jacobs Reid Fuller Lynch Dean Gilbert Garrett Romero Welch Larson Frazier "
      "Burke Hanson Day Mendoza Moreno Bowman Medina Fowler Brewer Hoffman Carlson Silva Pearson "
      "Holland Douglas Fleming Jensen Vargas Byrd Davidson Hopkins May Terry Herrera Wade Soto "
      "Walters Curtis Neal Caldwell Lowe Jennings Barnett Graves Jimenez Horton Shelton Barrett");
  // Turkish
  std::vector<std::string> tr_given = words(
      "Mehmet Mustafa Ahmet Ali Hüseyin Hasan İbrahim İsmail Osman Yusuf Murat Ömer Ramazan Halil "
      "Süleyman Abdullah Mahmut Salih Kemal Recep Fatih Emre Burak Serkan Onur Hakan Volkan Cem "
      "Barış Gökhan Uğur Tolga Erkan Selim Kadir Orhan Ayşe Fatma Emine Hatice Zeynep Elif Şule "
      "Gülşen Oğuz Tarık Ercan Cengiz Doğan Yiğit");
  std::vector<std::string> tr_family = words(
      "Yılmaz Kaya Demir Şahin Çelik Yıldız Yıldırım Öztürk Aydın Özdemir Arslan Doğan Kılıç Aslan "
      "Çetin Kara Koç Kurt Özkan Şimşek Polat Özer Güneş Erdoğan Aktaş Bulut Keskin Tekin Korkmaz "
      "Ünal Güler Acar Karaca Uçar Bozkurt Toprak Çakır Kaplan Türk Avcı Sarı Taş Işık Bayram Tunç "
      "Gündoğdu Karakaya Kocabaş Altun Erdem Akın Sevim Duman Uysal Karagöz Coşkun Oral Ateş Gök "
      "Akgül Yavuz Ekinci Kahraman Turan Sönmez Demirci Yalçın Çınar Aksoy Durmaz Özbek Karataş "
      "Karamanoğlu Kocaoğlu Hacıoğlu Eryılmaz Tosun Okur Başaran Uzun Kalkan Gümüş Soylu Bilgin");
  // German and Nordic
  std::vector<std::string> de_given = words(
      "Hans Jürgen Klaus Günter Dieter Wolfgang Uwe Jörg Björn Sören Stefan Thomas Michael Andreas "
      "Matthias Frank Markus Bernd Ralf Sven Lars Nils Jens Torsten Ingrid Ursula Heike Sabine "
      "Birgit Karin Gösta Åke Øystein Håkan Ulrich Heinz Horst Manfred Helmut Rüdiger");
  std::vector<std::string> de_family = words(
      "Müller Schmidt Schneider Fischer Weber Meyer Wagner Becker Schulz Hoffmann Schäfer Koch "
      "Bauer Richter Klein Wolf Schröder Neumann Schwarz Zimmermann Braun Krüger Hofmann Hartmann "
      "Lange Schmitt Werner Schmitz Krause Meier Lehmann Schmid Schulze Maier Köhler Herrmann "
      "König Walter Mayer Huber Kaiser Fuchs Peters Lang Scholz Möller Weiß Jung Hahn Schubert "
      "Vogel Friedrich Keller Günther Berger Winkler Roth Beck Lorenz Baumann Franke Albrecht "
      "Schuster Ludwig Böhm Winter Kraus Schumacher Krämer Vogt Stein Jäger Sommer Groß Seidel "
      "Heinrich Brandt Haas Schreiber Graf Schulte Dietrich Ziegler Kuhn Kühn Pohl Engel Horn "
      "Busch Bergmann Voigt Sauer Arnold Wolff Pfeiffer Lindqvist Johansson Andersson Nilsson "
      "Eriksson Larsson Olsen Hansen Jørgensen Sørensen Økland Åberg Strauß Weißmann Großmann "
      "Løvås Bjørnstad Häkkinen Mäkinen Virtanen Korhonen Nieminen Järvinen Lehtonen Heikkinen");
  // African
  std::vector<std::string> af_given = words(
      "Oluwaseun Chinedu Emeka Ngozi Adebayo Babatunde Chukwuemeka Olumide Tunde Ibrahim Musa "
      "Abubakar Aliyu Bello Kwame Kofi Kwabena Yaw Ama Akosua Amadou Moussa Ousmane Mamadou "
      "Ibrahima Abdoulaye Seydou Boubacar Joseph John Peter Samuel Daniel Emmanuel Godfrey "
      "Patrick Moses Jean Pierre Innocent Faustin Désiré Thabo Sipho Themba Bongani Mandla Tendai "
      "Tatenda Farai Chipo Juma Baraka Wanjiru Kamau Otieno Mwangi Kipchoge Aminata Fatoumata");
  std::vector<std::string> af_family = words(
      "Okafor Okonkwo Adeyemi Olawale Balogun Abiodun Adeleke Bakare Eze Nwosu Obi Ogunleye "
      "Onyekachi Afolabi Akinola Danjuma Yakubu Garba Usman Mensah Owusu Boateng Asante Osei Appiah "
      "Darko Diallo Traoré Coulibaly Keita Konaté Sangaré Touré Camara Sow Ndiaye Diop Fall Kabila "
      "Mbeki Dlamini Nkosi Mokoena Ndlovu Moyo Sibanda Mutasa Chikwanha Kariuki Njoroge Wambua "
      "Ochieng Omondi Mutua Kimani Nyambura Habimana Uwimana Niyonzima Nkurunziza Bizimana "
      "Ntaganda Nkunda Makenga Mudacumura Kagame Museveni Odinga Kenyatta Obasanjo Adebayo "
      "Akufo Mahama Rawlings Nkrumah Sankara Compaoré Ouattara Gbagbo Bédié Tshisekedi Lumumba");
  std::vector<std::string> af_syll = words("ku ru nzi za ma ba nda ye wa ga mbe lo si ko tu ne");
  // Companies
  std::vector<std::string> co_core = words(
      "Golden Crescent Horizon Pacific Atlantic Eastern Western Northern Southern Global United "
      "Royal Imperial Star Sun Moon Ocean Sea Gulf Delta Summit Pinnacle Falcon Eagle Lion Tiger "
      "Phoenix Dragon Silver Diamond Emerald Sapphire Pearl Crystal Blue Green Red White Black "
      "Noor Salam Amal Rawabi Wadi Jazira Nakheel Barakah Sahara Najm Hilal Qamar Tawfiq Ittihad "
      "Huaxin Taihe Longma Jinhai Zhongtian Hengda Xinhua Dongfang Haixing Tianjin Shenghua "
      "Sevmor Rostek Tekhno Prom Transneft Energo Stroy Gazprom Avia Kama Volga Ural Baikal Amur "
      "Neva Tavria Dnepr Krym Sibir Arktika Polar Aurora Vostok Zapad Sever Yug Orion Vega Altair "
      "Sirius Nova Apex Zenith Vertex Matrix Vector Quantum Nexus Vanguard Sentinel Meridian "
      "Caspian Aral Persian Tigris Euphrates Indus Ganges Mekong Yangtze Amazon Andes Alpine "
      "Nordic Baltic Adriatic Aegean Ionian Levant Orient Occident Equator Tropic Caribe Sierra "
      "Kish Hormuz Bandar Abadan Qeshm Chabahar Jebel Fujairah Sharjah Ajman Dubai Muscat Doha");
  std::vector<std::string> co_syll = words(
      "ra ko ne ta vi lo sa mi tek pro trans ner gaz stroy neft mash avto bank in vest ex port "
      "al ba ka za ri no va te");
  std::vector<std::string> co_industry = words(
      "Trading Shipping Petroleum Oil Gas Industries Group Holding Holdings Bank Investment "
      "Investments Logistics Engineering Construction Electronics Chemicals Exchange Marine Energy "
      "Metals Mining Aviation Airlines Technologies Resources Development Services Shipbuilding "
      "Tankers Navigation Commercial Finance Capital Insurance Pharmaceuticals Textiles Foods "
      "Agro Steel Cement Telecom Media Security Defense Industrial Petrochemical Refinery Brokers "
      "Consulting Ventures Partners Enterprises Solutions Systems Supplies Equipment Machinery");
  std::vector<std::string> co_legal = words(
      "LLC Ltd Limited Co.,_Ltd. FZE FZCO GmbH S.A. JSC OOO PJSC Inc. Corp. PLC Pte._Ltd. "
      "Company Sdn_Bhd LLP SARL AG B.V. S.R.L. General_Trading_LLC");

  std::vector<std::string> honorifics = words("Mr Mr. Dr. Sheikh Haji Mrs. General Colonel Prof. Mullah");
};

const Pools& pools() {
  static const Pools p;
  return p;
}

const std::string& pick(Rng& rng, const std::vector<std::string>& v) { return v[rng.below(v.size())]; }
const std::string& pick_zipf(Rng& rng, const std::vector<std::string>& v, double s = 0.9) {
  return v[rng.zipf(v.size(), s)];
}

std::string underscores_to_spaces(std::string s) {
  std::replace(s.begin(), s.end(), '_', ' ');
  return s;
}

std::string capitalize(std::string s) {
  if (!s.empty() && s[0] >= 'a' && s[0] <= 'z') s[0] = static_cast<char>(s[0] - 'a' + 'A');
  return s;
}

std::string arabic_family(Rng& rng) {
  const Pools& p = pools();
  std::string stem = pick(rng, p.ar_stems);
  const std::string& suf = pick(rng, p.ar_suffix);
  if (suf != "-") stem += suf;
  return rng.chance(0.85) ? "Al-" + stem : stem;
}

std::string persian_family(Rng& rng) {
  const Pools& p = pools();
  std::string stem = pick(rng, p.fa_stems);
  const std::string& suf = pick(rng, p.fa_suffix);
  if (suf != "-") {
    if (suf == "i" && !stem.empty() && stem.back() == 'i') return stem;
    stem += suf;
  }
  return stem;
}

std::string slavic_family(Rng& rng, bool female) {
  const Pools& p = pools();
  std::string stem = pick(rng, p.ru_stems);
  std::string suf = pick(rng, p.ru_suffix);
  if (female) {
    if (suf == "ov" || suf == "ev" || suf == "in") suf += "a";
    else if (suf == "sky" || suf == "ovsky") suf = suf.substr(0, suf.size() - 1) + "aya";
  }
  return stem + suf;
}

std::string patronymic(const std::string& father, bool female) {
  std::string base = father;
  const char last = base.empty() ? ' ' : base.back();
  if (last == 'y' || last == 'i') return base + (female ? "evna" : "evich");
  if (last == 'a') base.pop_back();
  return base + (female ? "ovna" : "ovich");
}

std::string syllables(Rng& rng, const std::vector<std::string>& syll, size_t n) {
  std::string s;
  for (size_t i = 0; i < n; ++i) s += syll[rng.below(syll.size())];
  return capitalize(s);
}

NameParts make(Culture c) {
  NameParts n;
  n.culture = c;
  return n;
}

void add(NameParts& n, std::string token, uint8_t role) {
  n.tokens.push_back(std::move(token));
  n.roles.push_back(role);
}

NameParts arabic_name(Rng& rng) {
  const Pools& p = pools();
  NameParts n = make(Culture::kArabic);
  add(n, pick_zipf(rng, p.ar_given), 0);
  const size_t middles = rng.below(3);  // father, grandfather
  for (size_t i = 0; i < middles; ++i) add(n, pick_zipf(rng, p.ar_given), 1);
  add(n, arabic_family(rng), 2);
  return n;
}

NameParts persian_name(Rng& rng) {
  const Pools& p = pools();
  NameParts n = make(Culture::kPersian);
  add(n, pick_zipf(rng, p.fa_given), 0);
  if (rng.chance(0.2)) add(n, pick_zipf(rng, p.fa_given), 1);
  add(n, persian_family(rng), 2);
  return n;
}

NameParts slavic_name(Rng& rng) {
  const Pools& p = pools();
  NameParts n = make(Culture::kSlavic);
  const bool female = rng.chance(0.2);
  add(n, female ? pick_zipf(rng, p.ru_given_f) : pick_zipf(rng, p.ru_given), 0);
  if (rng.chance(0.7)) add(n, patronymic(pick_zipf(rng, p.ru_given), female), 1);
  add(n, slavic_family(rng, female), 2);
  return n;
}

NameParts chinese_name(Rng& rng) {
  const Pools& p = pools();
  NameParts n = make(Culture::kChinese);
  add(n, pick_zipf(rng, p.zh_family, 1.0), 2);
  if (rng.chance(0.3)) {
    add(n, syllables(rng, p.zh_syll, 1), 0);
  } else {
    const std::string a = syllables(rng, p.zh_syll, 1);
    std::string b = p.zh_syll[rng.below(p.zh_syll.size())];
    const double r = rng.uniform01();
    if (r < 0.7) add(n, a + b, 0);
    else if (r < 0.85) add(n, a + "-" + capitalize(b), 0);
    else {
      add(n, a, 0);
      add(n, capitalize(b), 0);
    }
  }
  return n;
}

NameParts korean_name(Rng& rng) {
  const Pools& p = pools();
  NameParts n = make(Culture::kKorean);
  add(n, pick_zipf(rng, p.ko_family, 1.0), 2);
  const std::string a = syllables(rng, p.ko_syll, 1);
  const std::string b = p.ko_syll[rng.below(p.ko_syll.size())];
  const double r = rng.uniform01();
  if (r < 0.5) {
    add(n, a, 0);
    add(n, capitalize(b), 0);
  } else if (r < 0.8) {
    add(n, a + "-" + b, 0);
  } else {
    add(n, a + b, 0);
  }
  return n;
}

NameParts hispanic_name(Rng& rng) {
  const Pools& p = pools();
  NameParts n = make(Culture::kHispanic);
  add(n, pick_zipf(rng, p.es_given), 0);
  if (rng.chance(0.3)) add(n, pick_zipf(rng, p.es_given), 1);
  add(n, pick(rng, p.es_family), 2);
  if (rng.chance(0.7)) add(n, pick(rng, p.es_family), 2);
  return n;
}

// A given name, perhaps a second one, and a family name (the Anglo, Turkish and Germanic
// shape; the random draws are in the same order as before, so the seeded sets are stable).
NameParts given_family_name(Rng& rng, Culture culture, const std::vector<std::string>& given,
                            const std::vector<std::string>& family, double second_given) {
  NameParts n = make(culture);
  add(n, pick_zipf(rng, given), 0);
  if (rng.chance(second_given)) add(n, pick_zipf(rng, given), 1);
  add(n, pick(rng, family), 2);
  return n;
}

NameParts anglo_name(Rng& rng) {
  return given_family_name(rng, Culture::kAnglo, pools().en_given, pools().en_family, 0.4);
}

NameParts turkish_name(Rng& rng) {
  return given_family_name(rng, Culture::kTurkish, pools().tr_given, pools().tr_family, 0.15);
}

NameParts germanic_name(Rng& rng) {
  return given_family_name(rng, Culture::kGermanic, pools().de_given, pools().de_family, 0.25);
}

NameParts african_name(Rng& rng) {
  const Pools& p = pools();
  NameParts n = make(Culture::kAfrican);
  add(n, pick_zipf(rng, p.af_given), 0);
  if (rng.chance(0.25)) add(n, pick_zipf(rng, p.af_given), 1);
  if (rng.chance(0.6)) add(n, pick(rng, p.af_family), 2);
  else add(n, syllables(rng, p.af_syll, 3 + rng.below(2)), 2);
  return n;
}

NameParts entity_name(Rng& rng) {
  const Pools& p = pools();
  NameParts n = make(Culture::kEntity);
  if (rng.chance(0.1)) add(n, "Al-" + pick(rng, p.co_core), 3);
  else if (rng.chance(0.35)) add(n, syllables(rng, p.co_syll, 2 + rng.below(2)), 3);
  else add(n, pick(rng, p.co_core), 3);
  if (rng.chance(0.45)) add(n, rng.chance(0.5) ? pick(rng, p.co_core) : syllables(rng, p.co_syll, 2), 3);
  add(n, pick(rng, p.co_industry), 3);
  if (rng.chance(0.2)) add(n, pick(rng, p.co_industry), 3);
  if (rng.chance(0.85)) add(n, underscores_to_spaces(pick(rng, p.co_legal)), 4);
  return n;
}

constexpr std::array<std::pair<Culture, double>, 11> kMix = {{
    {Culture::kArabic, 0.19}, {Culture::kPersian, 0.06}, {Culture::kSlavic, 0.12},
    {Culture::kChinese, 0.07}, {Culture::kKorean, 0.03}, {Culture::kHispanic, 0.08},
    {Culture::kAnglo, 0.06}, {Culture::kTurkish, 0.03}, {Culture::kGermanic, 0.03},
    {Culture::kAfrican, 0.08}, {Culture::kEntity, 0.25}}};

Culture draw_culture(Rng& rng, double entity_share) {
  double person_total = 0;
  for (const auto& [c, w] : kMix)
    if (c != Culture::kEntity) person_total += w;
  if (rng.chance(entity_share)) return Culture::kEntity;
  double r = rng.uniform01() * person_total;
  for (const auto& [c, w] : kMix) {
    if (c == Culture::kEntity) continue;
    if (r < w) return c;
    r -= w;
  }
  return Culture::kArabic;
}

// ---- spelling variation -------------------------------------------------------------

const std::vector<std::vector<std::string>>& translit_classes() {
  static const std::vector<std::vector<std::string>> v = {
      {"Mohammed", "Muhammad", "Mohamed", "Mohammad", "Muhammed", "Mohamad"},
      {"Ahmed", "Ahmad", "Ahmet"}, {"Hussein", "Husain", "Hussain", "Husayn", "Hüseyin"},
      {"Hassan", "Hasan"}, {"Youssef", "Yusuf", "Yousef", "Yousif"}, {"Omar", "Umar", "Ömer"},
      {"Osama", "Usama"}, {"Abdullah", "Abdallah", "Abdulla"}, {"Khalid", "Khaled"},
      {"Mahmoud", "Mahmud", "Mahmut"}, {"Mustafa", "Mostafa", "Moustafa"},
      {"Ibrahim", "Ebrahim", "İbrahim"}, {"Ismail", "Ismael", "Esmaeil", "İsmail"},
      {"Suleiman", "Sulayman", "Süleyman"}, {"Saeed", "Said", "Saied"},
      {"Tariq", "Tarek", "Tarık"}, {"Faisal", "Faysal", "Feisal"}, {"Jamal", "Gamal"},
      {"Nasser", "Nasir", "Naser"}, {"Rashid", "Rasheed"}, {"Hamid", "Hameed"},
      {"Majid", "Majeed"}, {"Karim", "Kareem"}, {"Yahya", "Yehia"}, {"Zayed", "Zaid", "Zeid"},
      {"Walid", "Waleed"}, {"Qasim", "Qassem", "Kasim", "Ghasem"}, {"Hossein", "Hosein"},
      {"Mohsen", "Muhsin"}, {"Javad", "Jawad"}, {"Sergey", "Sergei"},
      {"Aleksandr", "Alexander", "Aleksander"}, {"Alexey", "Aleksei", "Alexei"},
      {"Yevgeny", "Evgeny", "Evgeniy"}, {"Yuri", "Yury", "Yuriy"},
      {"Dmitry", "Dmitri", "Dmitriy"}, {"Andrey", "Andrei"}, {"Nikolay", "Nikolai"},
      {"Vitaly", "Vitali", "Vitaliy"}, {"Valery", "Valeri", "Valeriy"},
      {"Anatoly", "Anatoli", "Anatoliy"}, {"Gennady", "Gennadi", "Gennadiy"},
      {"Grigory", "Grigori", "Grigoriy"}, {"Fyodor", "Fedor"}, {"Petr", "Pyotr"},
      {"Tatiana", "Tatyana"}, {"Natalia", "Natalya"}, {"Yulia", "Yuliya"},
      {"Semyon", "Semen"}, {"Matvey", "Matvei"}, {"Abubakar", "Aboubakar", "Abu Bakr"},
      {"Ousmane", "Usman", "Osman"}, {"Moussa", "Musa"}, {"Mamadou", "Mamadu"}};
  return v;
}

bool is_ascii(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return static_cast<unsigned char>(c) < 0x80; });
}

// One spelling rule applied to a token, as transliterations differ.
bool translit_rule(Rng& rng, std::string& t) {
  struct Rule { std::string_view from, to; };
  static constexpr std::array<Rule, 28> rules = {{
      {"ou", "u"}, {"u", "ou"}, {"ee", "i"}, {"i", "ee"}, {"y", "i"}, {"i", "y"}, {"q", "k"},
      {"k", "q"}, {"kh", "h"}, {"sh", "ch"}, {"j", "dj"}, {"ph", "f"}, {"ss", "s"}, {"s", "ss"},
      {"ll", "l"}, {"mm", "m"}, {"ov", "off"}, {"ev", "yev"}, {"ts", "tz"}, {"w", "v"},
      {"v", "w"}, {"e", "a"}, {"a", "e"}, {"o", "u"}, {"u", "o"}, {"ie", "iye"}, {"ai", "ay"},
      {"dh", "d"}}};
  if (!is_ascii(t) || t.size() < 3) return false;
  for (int attempt = 0; attempt < 12; ++attempt) {
    const Rule& r = rules[rng.below(rules.size())];
    std::vector<size_t> at;
    for (size_t pos = t.find(r.from, 1); pos != std::string::npos; pos = t.find(r.from, pos + 1))
      at.push_back(pos);
    if (at.empty()) continue;
    const size_t pos = at[rng.below(at.size())];
    t.replace(pos, r.from.size(), r.to);
    return true;
  }
  return false;
}

bool transliterate(Rng& rng, NameParts& n) {
  // A known spelling class first (a given name), else a spelling rule on one token.
  std::vector<size_t> idx(n.tokens.size());
  for (size_t i = 0; i < idx.size(); ++i) idx[i] = i;
  for (size_t i = idx.size(); i > 1; --i) std::swap(idx[i - 1], idx[rng.below(i)]);
  for (size_t i : idx) {
    for (const auto& cls : translit_classes()) {
      if (std::find(cls.begin(), cls.end(), n.tokens[i]) == cls.end()) continue;
      std::string other = n.tokens[i];
      while (other == n.tokens[i]) other = cls[rng.below(cls.size())];
      n.tokens[i] = other;
      return true;
    }
  }
  for (size_t i : idx) {
    if (n.roles[i] == 4) continue;
    std::string t = n.tokens[i];
    if (translit_rule(rng, t)) {
      n.tokens[i] = t;
      return true;
    }
  }
  return false;
}

bool typo(Rng& rng, NameParts& n) {
  std::vector<size_t> ok;
  for (size_t i = 0; i < n.tokens.size(); ++i)
    if (n.roles[i] != 4 && n.tokens[i].size() >= 5 && is_ascii(n.tokens[i])) ok.push_back(i);
  if (ok.empty()) return false;
  std::string& t = n.tokens[ok[rng.below(ok.size())]];
  // A letter other than the first (most typos keep it), next to another letter: the
  // hyphen of "Al-Nasri" is not typed over.
  std::vector<size_t> letters;
  for (size_t i = 1; i + 1 < t.size() + 1; ++i)
    if (std::isalpha(static_cast<unsigned char>(t[i])) && std::isalpha(static_cast<unsigned char>(t[i - 1])) &&
        (i + 1 == t.size() || std::isalpha(static_cast<unsigned char>(t[i + 1]))))
      letters.push_back(i);
  if (letters.empty()) return false;
  const size_t pos = letters[rng.below(letters.size())];
  const char letter = static_cast<char>('a' + rng.below(26));
  switch (rng.below(4)) {
    case 0: t[pos] = letter; break;                              // substitution
    case 1: t.erase(pos, 1); break;                              // deletion
    case 2: t.insert(pos, 1, letter); break;                     // insertion
    default:                                                     // transposition
      if (pos + 1 < t.size()) std::swap(t[pos], t[pos + 1]);
      else std::swap(t[pos - 1], t[pos]);
  }
  return true;
}

bool swap_order(Rng& rng, NameParts& n) {
  if (n.tokens.size() < 2 || n.culture == Culture::kEntity) return false;
  if (rng.chance(0.5)) {
    std::reverse(n.tokens.begin(), n.tokens.end());
    std::reverse(n.roles.begin(), n.roles.end());
  } else {  // "FAMILY, Given Middle"
    std::rotate(n.tokens.begin(), n.tokens.end() - 1, n.tokens.end());
    std::rotate(n.roles.begin(), n.roles.end() - 1, n.roles.end());
    n.tokens[0] += ",";
  }
  return true;
}

bool drop_middle(Rng& rng, NameParts& n) {
  std::vector<size_t> mid;
  if (n.culture == Culture::kEntity) {  // companies lose their legal form, not a word
    for (size_t i = 0; i < n.tokens.size(); ++i)
      if (n.roles[i] == 4) {
        n.tokens.erase(n.tokens.begin() + static_cast<std::ptrdiff_t>(i));
        n.roles.erase(n.roles.begin() + static_cast<std::ptrdiff_t>(i));
        return true;
      }
    return false;
  }
  for (size_t i = 1; i + 1 < n.tokens.size(); ++i)
    if (n.roles[i] == 1) mid.push_back(i);
  if (mid.empty() || n.tokens.size() < 3) return false;
  const size_t i = mid[rng.below(mid.size())];
  n.tokens.erase(n.tokens.begin() + static_cast<std::ptrdiff_t>(i));
  n.roles.erase(n.roles.begin() + static_cast<std::ptrdiff_t>(i));
  return true;
}

bool initial(Rng& rng, NameParts& n) {
  if (n.tokens.size() < 3 || n.culture == Culture::kEntity) return false;
  std::vector<size_t> ok;
  for (size_t i = 0; i + 1 < n.tokens.size(); ++i)
    if ((n.roles[i] == 0 || n.roles[i] == 1) && is_ascii(n.tokens[i])) ok.push_back(i);
  if (ok.empty()) return false;
  std::string& t = n.tokens[ok[rng.below(ok.size())]];
  t = t.substr(0, 1) + (rng.chance(0.6) ? "." : "");
  return true;
}

bool diacritics(Rng& rng, NameParts& n) {
  static const std::map<char, std::vector<std::string>> accents = {
      {'a', {"á", "à", "ä", "â", "ã"}}, {'e', {"é", "è", "ë", "ê"}}, {'i', {"í", "ï", "ı"}},
      {'o', {"ó", "ö", "ô", "ø"}}, {'u', {"ú", "ü", "û"}}, {'n', {"ñ"}}, {'c', {"ç", "č"}},
      {'s', {"š", "ş"}}, {'z', {"ž"}}, {'g', {"ğ"}}};
  bool changed = false;
  for (std::string& t : n.tokens) {
    if (!is_ascii(t)) {  // already accented: write it the German way or strip it
      std::string out;
      const bool german = rng.chance(0.5);
      for (size_t i = 0; i < t.size(); ++i) {
        const std::string_view rest(t.data() + i, t.size() - i);
        if (german && rest.substr(0, 2) == "ü") { out += "ue"; ++i; }
        else if (german && rest.substr(0, 2) == "ö") { out += "oe"; ++i; }
        else if (german && rest.substr(0, 2) == "ä") { out += "ae"; ++i; }
        else if (german && rest.substr(0, 2) == "ß") { out += "ss"; ++i; }
        else out += t[i];
      }
      t = fold_to_ascii(out);
      t = capitalize(t);
      changed = true;
      continue;
    }
    if (!rng.chance(0.6)) continue;
    std::vector<size_t> pos;
    for (size_t i = 1; i < t.size(); ++i)
      if (accents.count(static_cast<char>(std::tolower(static_cast<unsigned char>(t[i]))))) pos.push_back(i);
    if (pos.empty()) continue;
    const size_t p = pos[rng.below(pos.size())];
    const auto& opts = accents.at(static_cast<char>(std::tolower(static_cast<unsigned char>(t[p]))));
    t = t.substr(0, p) + opts[rng.below(opts.size())] + t.substr(p + 1);
    changed = true;
  }
  return changed;
}

std::string to_cyrillic(std::string_view latin) {
  static const std::vector<std::pair<std::string_view, std::string_view>> table = {
      {"shch", "щ"}, {"sh", "ш"}, {"ch", "ч"}, {"zh", "ж"}, {"kh", "х"}, {"ts", "ц"},
      {"yu", "ю"}, {"ya", "я"}, {"ye", "е"}, {"yo", "ё"}, {"a", "а"}, {"b", "б"}, {"v", "в"},
      {"g", "г"}, {"d", "д"}, {"e", "е"}, {"z", "з"}, {"i", "и"}, {"y", "й"}, {"k", "к"},
      {"l", "л"}, {"m", "м"}, {"n", "н"}, {"o", "о"}, {"p", "п"}, {"r", "р"}, {"s", "с"},
      {"t", "т"}, {"u", "у"}, {"f", "ф"}, {"x", "кс"}, {"w", "в"}, {"h", "х"}, {"c", "к"},
      {"q", "к"}, {"j", "дж"}};
  std::string lower;
  for (char c : latin) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  // Russian writes a final "-y" after a consonant as "-ий" (Dmitry -> Дмитрий).
  if (lower.size() >= 2 && lower.back() == 'y' && std::string_view("aeiouy").find(lower[lower.size() - 2]) == std::string_view::npos)
    lower.replace(lower.size() - 1, 1, "iy");
  std::string out;
  bool start = true;
  const std::string_view vowels = "aeiouy";
  for (size_t i = 0; i < lower.size();) {
    bool hit = false;
    if (lower[i] == 'y' && i > 0 && vowels.find(lower[i - 1]) == std::string_view::npos &&
        (i + 1 == lower.size() || vowels.find(lower[i + 1]) == std::string_view::npos)) {
      out += "ы";  // Rybakov -> Рыбаков
      ++i;
      start = false;
      continue;
    }
    for (const auto& [from, to] : table) {
      if (lower.compare(i, from.size(), from) != 0) continue;
      std::string piece(to);
      if (start && piece.size() == 2) {  // capital: Cyrillic capitals are 0x20 code points lower
        // А..Я (U+0410..U+042F) from а..я (U+0430..U+044F); both are two bytes.
        const auto b0 = static_cast<unsigned char>(piece[0]);
        const auto b1 = static_cast<unsigned char>(piece[1]);
        unsigned cp = ((b0 & 0x1Fu) << 6) | (b1 & 0x3Fu);
        if (cp >= 0x430 && cp <= 0x44F) cp -= 0x20;
        piece[0] = static_cast<char>(0xC0 | (cp >> 6));
        piece[1] = static_cast<char>(0x80 | (cp & 0x3F));
      }
      out += piece;
      i += from.size();
      hit = true;
      break;
    }
    if (!hit) {
      out += lower[i];
      ++i;
    }
    start = false;
  }
  return out;
}

bool script(Rng&, NameParts& n) {
  if (n.culture != Culture::kSlavic) return false;
  for (std::string& t : n.tokens) t = to_cyrillic(t);
  return true;
}

bool compound(Rng& rng, NameParts& n) {
  // Arabic "Abdul Rahman" <-> "Abdulrahman" <-> "Abd al-Rahman"; Chinese and Korean given
  // names joined, hyphenated or apart.
  for (size_t i = 0; i < n.tokens.size(); ++i) {
    std::string& t = n.tokens[i];
    if (t.rfind("Abdul", 0) == 0 && t.size() > 8) {
      const std::string rest = t.substr(5);
      t = rng.chance(0.5) ? "Abdul " + capitalize(rest) : "Abd al-" + capitalize(rest);
      return true;
    }
    if (t.rfind("Abdel", 0) == 0 && t.size() > 8) {
      t = "Abd el-" + capitalize(t.substr(5));
      return true;
    }
  }
  if (n.culture != Culture::kChinese && n.culture != Culture::kKorean) return false;
  for (size_t i = 0; i < n.tokens.size(); ++i) {
    std::string& t = n.tokens[i];
    const size_t dash = t.find('-');
    if (dash != std::string::npos) {
      std::string joined = t.substr(0, dash) + t.substr(dash + 1);
      for (char& c : joined) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      t = capitalize(joined);
      return true;
    }
    if (n.roles[i] == 0 && i + 1 < n.tokens.size() && n.roles[i + 1] == 0) {
      std::string b = n.tokens[i + 1];
      b[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(b[0])));
      t += rng.chance(0.5) ? b : "-" + n.tokens[i + 1];
      n.tokens.erase(n.tokens.begin() + static_cast<std::ptrdiff_t>(i + 1));
      n.roles.erase(n.roles.begin() + static_cast<std::ptrdiff_t>(i + 1));
      return true;
    }
  }
  return false;
}

bool decorate(Rng& rng, NameParts& n) {
  const Pools& p = pools();
  if (n.culture == Culture::kEntity) {
    for (size_t i = 0; i < n.tokens.size(); ++i) {
      if (n.roles[i] == 4) {
        std::string other = n.tokens[i];
        while (other == n.tokens[i]) other = underscores_to_spaces(pick(rng, p.co_legal));
        n.tokens[i] = other;
        return true;
      }
    }
    add(n, underscores_to_spaces(pick(rng, p.co_legal)), 4);
    return true;
  }
  n.tokens.insert(n.tokens.begin(), pick(rng, p.honorifics));
  n.roles.insert(n.roles.begin(), 4);
  if (rng.chance(0.5))
    for (std::string& t : n.tokens)
      if (is_ascii(t))
        for (char& c : t) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return true;
}

using Variant = bool (*)(Rng&, NameParts&);
struct VariantKind {
  std::string_view name;
  Variant first;
  Variant second;  // nullptr: single change
};

constexpr std::array<VariantKind, 12> kVariants = {{
    {"transliteration", transliterate, nullptr},
    {"typo", typo, nullptr},
    {"swapped-order", swap_order, nullptr},
    {"missing-middle-name", drop_middle, nullptr},
    {"initial", initial, nullptr},
    {"diacritics", diacritics, nullptr},
    {"cyrillic-script", script, nullptr},
    {"compound", compound, nullptr},
    {"honorific-or-legal-form", decorate, nullptr},
    {"typo+swapped-order", typo, swap_order},
    {"transliteration+missing-middle", transliterate, drop_middle},
    {"diacritics+typo", diacritics, typo},
}};

NameParts fresh_like(Rng& rng, const NameParts& like) {
  switch (like.culture) {
    case Culture::kArabic: return arabic_name(rng);
    case Culture::kPersian: return persian_name(rng);
    case Culture::kSlavic: return slavic_name(rng);
    case Culture::kChinese: return chinese_name(rng);
    case Culture::kKorean: return korean_name(rng);
    case Culture::kHispanic: return hispanic_name(rng);
    case Culture::kAnglo: return anglo_name(rng);
    case Culture::kTurkish: return turkish_name(rng);
    case Culture::kGermanic: return germanic_name(rng);
    case Culture::kAfrican: return african_name(rng);
    case Culture::kEntity: return entity_name(rng);
  }
  return anglo_name(rng);
}

// The ground-truth filter for non-matches (see the header). Names are compared as token
// sets, also with any adjacent tokens run together ("Hyun Ju" is "Hyunju").
std::vector<std::vector<std::string>> merge_variants(const NormalizedName& n) {
  std::vector<std::vector<std::string>> out;
  const size_t k = std::min<size_t>(n.size(), 8);
  if (k == 0) return out;
  for (uint32_t mask = 0; mask < (1u << (k - 1)); ++mask) {  // bit i: join token i and i + 1
    std::vector<std::string> toks{std::string(n.token(0))};
    for (size_t i = 1; i < k; ++i) {
      if (mask & (1u << (i - 1))) toks.back() += n.token(i);
      else toks.emplace_back(n.token(i));
    }
    std::sort(toks.begin(), toks.end());
    toks.erase(std::unique(toks.begin(), toks.end()), toks.end());
    out.push_back(std::move(toks));
  }
  return out;
}

class ListedNames {
 public:
  explicit ListedNames(const SyntheticList& list) {
    auto add_name = [&](const std::string& text) {
      for (auto& toks : merge_variants(norm_.normalize(text))) {
        const uint32_t id = static_cast<uint32_t>(names_.size());
        for (const std::string& t : toks) by_token_[t].push_back(id);
        names_.push_back(std::move(toks));
      }
    };
    for (const ListEntry& e : list.list.entries) {
      add_name(e.name);
      for (const Alias& a : e.aliases) add_name(a.name);
    }
  }

  // True when every token of `text` appears in one listed name, or every token of a
  // listed name of two or more tokens appears in `text`.
  bool related(const std::string& text) const {
    const NormalizedName n = norm_.normalize(text);
    if (n.size() == 0) return true;
    auto subset = [](const std::vector<std::string>& small, const std::vector<std::string>& big) {
      return std::includes(big.begin(), big.end(), small.begin(), small.end());
    };
    for (const auto& toks : merge_variants(n)) {
      for (const std::string& first : toks) {
        auto it = by_token_.find(first);
        if (it == by_token_.end()) continue;
        for (uint32_t id : it->second) {
          const auto& have = names_[id];
          if (subset(toks, have) || (have.size() >= 2 && subset(have, toks))) return true;
        }
      }
    }
    return false;
  }

 private:
  NameNormalizer norm_;
  std::vector<std::vector<std::string>> names_;
  std::unordered_map<std::string, std::vector<uint32_t>> by_token_;
};

NameParts negative(Rng& rng, const SyntheticList& list, std::string& category) {
  const size_t n = list.primary.size();
  const NameParts& target = list.primary[rng.below(n)];
  NameParts fresh = fresh_like(rng, target);
  const size_t kind = rng.below(5);
  auto copy_role = [&](uint8_t role) {
    for (size_t i = 0; i < target.tokens.size(); ++i) {
      if (target.roles[i] != role) continue;
      for (size_t j = 0; j < fresh.tokens.size(); ++j)
        if (fresh.roles[j] == role) {
          fresh.tokens[j] = target.tokens[i];
          return true;
        }
    }
    return false;
  };
  if (target.culture == Culture::kEntity && kind < 3) {
    category = "shared-company-word";
    const size_t i = rng.below(target.tokens.size());
    if (target.roles[i] == 3) fresh.tokens[0] = target.tokens[i];
    else fresh.tokens[0] = target.tokens[0];
    return fresh;
  }
  switch (kind) {
    case 0:
      category = "shared-given-name";
      copy_role(0);
      return fresh;
    case 1:
      category = "shared-family-name";
      copy_role(2);
      return fresh;
    case 2: {
      category = "tokens-of-two-entries";
      const NameParts& other = list.primary[rng.below(n)];
      if (other.culture != target.culture || target.culture == Culture::kEntity) {
        copy_role(0);
        return fresh;
      }
      copy_role(0);
      for (size_t i = 0; i < other.tokens.size(); ++i)
        if (other.roles[i] == 2)
          for (size_t j = 0; j < fresh.tokens.size(); ++j)
            if (fresh.roles[j] == 2) fresh.tokens[j] = other.tokens[i];
      return fresh;
    }
    default:
      category = "same-culture";
      return fresh;
  }
}

}  // namespace

// ---- Rng -----------------------------------------------------------------------------


// ---- public generators ----------------------------------------------------------------

NameParts random_name(Rng& rng, Culture culture) {
  NameParts like;
  like.culture = culture;
  return fresh_like(rng, like);
}

NameParts random_name(Rng& rng) { return random_name(rng, draw_culture(rng, 0.25)); }

std::string render(const NameParts& name) {
  std::string out;
  for (const std::string& t : name.tokens) {
    if (!out.empty()) out.push_back(' ');
    out += t;
  }
  return out;
}

SyntheticList generate_list(const ListSettings& settings) {
  Rng rng(settings.seed);
  SyntheticList out;
  out.list.name = settings.name;
  out.list.kind = ListKind::kSanctions;
  out.list.source = "synthetic:seed=" + std::to_string(settings.seed);
  std::unordered_set<std::string> seen;
  NameNormalizer norm;
  static const std::vector<std::string> programs = words("SDGT IRAN RUSSIA-EO14024 DPRK SYRIA CYBER2 VENEZUELA GLOMAG");
  while (out.list.entries.size() < settings.entries) {
    const Culture c = draw_culture(rng, settings.entity_share);
    NameParts primary = random_name(rng, c);
    // A list does not carry the same name twice.
    if (!seen.insert(norm.normalize(render(primary)).joined_sorted()).second) continue;
    ListEntry e;
    e.id = std::to_string(10'000 + out.list.entries.size());
    e.type = c == Culture::kEntity ? EntryType::kEntity : EntryType::kIndividual;
    e.programs.push_back(programs[rng.below(programs.size())]);
    std::vector<NameParts> aliases;
    const size_t alias_count = rng.zipf(4, 1.2);  // 0..3, mostly 0 or 1
    for (size_t a = 0; a < alias_count; ++a) {
      NameParts alias = primary;
      const bool changed = c == Culture::kEntity ? decorate(rng, alias) : transliterate(rng, alias);
      if (!changed || render(alias) == render(primary)) continue;
      e.aliases.push_back({render(alias), "aka", false});
      aliases.push_back(std::move(alias));
    }
    // Published lists write individuals "FAMILY, Given"; keep the parts in display order.
    std::string shown = render(primary);
    if (c != Culture::kEntity && rng.chance(0.5) && primary.tokens.size() >= 2) {
      std::string family, given;
      for (size_t i = 0; i < primary.tokens.size(); ++i) {
        std::string& part = primary.roles[i] == 2 ? family : given;
        if (!part.empty()) part += " ";
        part += primary.tokens[i];
      }
      for (char& ch : family) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
      shown = family + ", " + given;
    }
    e.name = shown;
    out.list.entries.push_back(std::move(e));
    out.primary.push_back(std::move(primary));
    out.aliases.push_back(std::move(aliases));
  }
  return out;
}

std::vector<EvalCase> generate_eval_set(const SyntheticList& list, const EvalSettings& settings) {
  Rng rng(settings.seed);
  std::vector<EvalCase> out;
  const size_t n = list.primary.size();
  DELTRAN_ASSERT(n > 0, "generate_eval_set needs a non-empty list");
  size_t made = 0;
  for (size_t attempts = 0; made < settings.positives && attempts < settings.positives * 50; ++attempts) {
    const VariantKind& kind = kVariants[made % kVariants.size()];
    const auto entry = static_cast<uint32_t>(rng.below(n));
    const bool use_alias = !list.aliases[entry].empty() && rng.chance(0.2);
    NameParts name = use_alias ? list.aliases[entry][rng.below(list.aliases[entry].size())] : list.primary[entry];
    if (!kind.first(rng, name)) continue;
    if (kind.second != nullptr && !kind.second(rng, name)) continue;
    out.push_back({render(name), true, entry, std::string(kind.name)});
    ++made;
  }
  const ListedNames listed(list);
  made = 0;
  for (size_t attempts = 0; made < settings.negatives && attempts < settings.negatives * 50; ++attempts) {
    std::string category;
    const NameParts name = negative(rng, list, category);
    const std::string text = render(name);
    if (listed.related(text)) continue;
    out.push_back({text, false, 0, category});
    ++made;
  }
  return out;
}

std::vector<std::string> generate_traffic(const SyntheticList& list, size_t count, double hit_share,
                                          uint64_t seed) {
  Rng rng(seed);
  std::vector<std::string> out;
  out.reserve(count);
  const size_t n = list.primary.size();
  while (out.size() < count) {
    if (n > 0 && rng.chance(hit_share)) {
      NameParts name = list.primary[rng.below(n)];
      const VariantKind& kind = kVariants[rng.below(kVariants.size())];
      kind.first(rng, name);
      out.push_back(render(name));
    } else {
      out.push_back(render(random_name(rng)));
    }
  }
  return out;
}

}  // namespace deltran::testsupport::synthetic
